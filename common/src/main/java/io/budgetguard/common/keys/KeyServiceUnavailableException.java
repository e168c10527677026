package io.budgetguard.common.keys;

/** The key service cannot be reached or cannot answer now (network error, timeout, Vault sealed or 5xx). Retry later. */
public final class KeyServiceUnavailableException extends KeyServiceException {

    public KeyServiceUnavailableException(String message) {
        super(message);
    }

    public KeyServiceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
