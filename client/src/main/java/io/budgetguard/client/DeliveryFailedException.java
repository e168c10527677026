package io.budgetguard.client;

/**
 * The client gave up on an event that might have been deliverable: every attempt the retry policy allowed failed with
 * {@code 429}, {@code 5xx} or an I/O error, or the client was closed before it could be sent. The event may still have
 * reached Kafka (an acknowledgement can be lost): sending it again with the same {@code event_id} is always safe.
 */
public final class DeliveryFailedException extends BudgetGuardException {

    private final int attempts;
    private final int lastStatus;

    public DeliveryFailedException(String message, int attempts, int lastStatus, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
        this.lastStatus = lastStatus;
    }

    public int attempts() {
        return attempts;
    }

    /** The HTTP status of the last answer, 0 when the last attempt had none (I/O error, timeout). */
    public int lastStatus() {
        return lastStatus;
    }
}
