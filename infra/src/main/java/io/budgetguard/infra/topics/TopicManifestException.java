package io.budgetguard.infra.topics;

/** The topic manifest could not be read or applied; the message names the topic and the broker's answer. */
public class TopicManifestException extends RuntimeException {

    public TopicManifestException(String message) {
        super(message);
    }

    public TopicManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
