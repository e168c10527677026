package io.budgetguard.infra.topics;

import org.apache.kafka.common.errors.RetriableException;

/** The topic manifest could not be read or applied; the message names the topic and the broker's answer. */
public class TopicManifestException extends RuntimeException {

    private final boolean transientFailure;

    public TopicManifestException(String message) {
        this(message, false);
    }

    /** @param transientFailure whether the failure may pass by itself, see {@link #isTransient()} */
    public TopicManifestException(String message, boolean transientFailure) {
        super(message);
        this.transientFailure = transientFailure;
    }

    public TopicManifestException(String message, Throwable cause) {
        super(message, cause);
        this.transientFailure = hasRetriableCause(cause);
    }

    /**
     * True when the failure may pass by itself: the broker did not answer in time, is restarting, or has not yet
     * elected a leader for a new topic. False for a manifest error or a refusal (a bad config, a replication factor
     * above the number of brokers, missing ACLs), which retrying cannot fix.
     */
    public boolean isTransient() {
        return transientFailure;
    }

    private static boolean hasRetriableCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException || cause instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
