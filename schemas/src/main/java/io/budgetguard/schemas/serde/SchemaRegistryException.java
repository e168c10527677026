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

    /**
     * True when the failure may pass by itself: the registry could not be reached (connection refused, timed out: it
     * is starting or restarting), or answered 408, 429 or a 5xx. False for a refusal (an incompatible schema, a bad
     * request, a denied credential), an interruption, or an answer that is not JSON.
     */
    public boolean isTransient() {
        if (httpStatus == -1) {
            return getCause() instanceof java.io.IOException && !(getCause() instanceof
                    com.fasterxml.jackson.core.JsonProcessingException);
        }
        return httpStatus == 408 || httpStatus == 429 || httpStatus >= 500;
    }

    /** HTTP status the registry answered with, or -1 when it could not be reached. */
    public int httpStatus() {
        return httpStatus;
    }
}
