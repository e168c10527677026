package io.budgetguard.schemas.serde;

/** A schema registry call failed; the message names the subject or id and the registry's answer, never a credential. */
public class SchemaRegistryException extends RuntimeException {

    private final int httpStatus;

    public SchemaRegistryException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
    }

    /** HTTP status the registry answered with, or -1 when it could not be reached. */
    public int httpStatus() {
        return httpStatus;
    }
}
