package io.budgetguard.common.keys;

/**
 * The named key does not exist: never created, or deleted. After {@link KeyService#deleteKey(String)} this is what
 * unwrapping a data key of that key fails with (the GDPR erasure worked).
 */
public final class KeyNotFoundException extends KeyServiceException {

    private final String keyName;

    public KeyNotFoundException(String keyName, String operation) {
        super("key '" + keyName + "' does not exist (" + operation + "); it was never created or has been deleted");
        this.keyName = keyName;
    }

    public String keyName() {
        return keyName;
    }
}
