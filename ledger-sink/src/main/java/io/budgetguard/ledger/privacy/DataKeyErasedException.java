package io.budgetguard.ledger.privacy;

/** The tenant's key was destroyed ({@code budgetguard tenant erase}): its personal data can no longer be decrypted. */
public final class DataKeyErasedException extends RuntimeException {

    public DataKeyErasedException(String tenantId, int version) {
        super("The data key v" + version + " of tenant " + tenantId + " was erased: its personal data cannot be read",
                null, false, false);
    }
}
