package io.budgetguard.metering.control;

import io.budgetguard.schemas.serde.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;

/** Tells a bad record from a failing dependency when decoding fails. */
public final class DecodeFailures {

    private static final int NOT_FOUND = 404;

    private DecodeFailures() {}

    /**
     * True when the record itself is at fault (not Avro in the wire format, or naming a schema id the registry does not
     * know): skipping it is right. False when the registry could not be reached or failed: the record may be fine, so
     * the caller must fail and retry rather than drop it.
     */
    public static boolean isBadRecord(RuntimeException failure) {
        if (failure instanceof SchemaRegistryException registryFailure) {
            return registryFailure.httpStatus() == NOT_FOUND;
        }
        return failure instanceof SerializationException;
    }

    /** The failure's message with its causes, for a rejection reason or a log line. */
    public static String describe(Throwable failure) {
        StringBuilder reason = new StringBuilder(String.valueOf(failure.getMessage()));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                reason.append(": ").append(cause.getMessage());
            }
        }
        return reason.toString();
    }
}
