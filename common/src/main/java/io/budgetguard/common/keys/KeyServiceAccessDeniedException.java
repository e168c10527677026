package io.budgetguard.common.keys;

/** Vault refused the operation for our token (HTTP 401/403), even after a fresh login: the policy lacks a capability. */
public final class KeyServiceAccessDeniedException extends KeyServiceException {

    private final int status;

    public KeyServiceAccessDeniedException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
