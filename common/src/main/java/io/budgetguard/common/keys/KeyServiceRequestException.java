package io.budgetguard.common.keys;

/** Vault rejected a request for a reason not covered by a more specific exception (an unexpected 4xx). */
public final class KeyServiceRequestException extends KeyServiceException {

    private final int status;

    public KeyServiceRequestException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
