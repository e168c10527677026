package io.budgetguard.common.keys;

/**
 * Root of every key service failure. Unchecked, like the rest of the project's root exceptions; subclasses are named
 * for what failed. Messages name the operation, key and HTTP status but never key material, tokens or secret ids.
 */
public class KeyServiceException extends RuntimeException {

    public KeyServiceException(String message) {
        super(message);
    }

    public KeyServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
