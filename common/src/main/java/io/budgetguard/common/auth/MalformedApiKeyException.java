package io.budgetguard.common.auth;

/**
 * A presented API key does not have the form {@code bg_<key_id>.<secret>}. The message says what is wrong with the
 * form and never repeats the presented text, which may be a secret. Stackless: it is an expected, frequent outcome.
 */
public final class MalformedApiKeyException extends IllegalArgumentException {

    public MalformedApiKeyException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
