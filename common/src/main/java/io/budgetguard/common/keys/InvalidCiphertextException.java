package io.budgetguard.common.keys;

/** A wrapped value is malformed, was tampered with, or was not wrapped by this key. */
public final class InvalidCiphertextException extends KeyServiceException {

    public InvalidCiphertextException(String message) {
        super(message);
    }
}
