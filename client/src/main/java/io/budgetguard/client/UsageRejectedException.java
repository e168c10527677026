package io.budgetguard.client;

import java.util.List;

/**
 * The server refused the event for good ({@code 400, 401, 403, 413, 415, 422}, …): resending it unchanged would fail
 * again, so the client does not retry. For a {@code 422}, {@link #fieldErrors()} names what is wrong with this event
 * (their {@code index} is the event's position in the request that carried it).
 */
public final class UsageRejectedException extends BudgetGuardException {

    private final int status;
    private final String eventId;
    private final String title;
    private final String detail;
    private final List<FieldError> fieldErrors;

    public UsageRejectedException(int status, String eventId, String title, String detail, List<FieldError> fieldErrors) {
        super(message(status, eventId, title, detail, fieldErrors));
        this.status = status;
        this.eventId = eventId;
        this.title = title;
        this.detail = detail;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    private static String message(int status, String eventId, String title, String detail, List<FieldError> errors) {
        StringBuilder message = new StringBuilder("Event ").append(eventId).append(" was rejected: ").append(status);
        if (title != null) {
            message.append(' ').append(title);
        }
        if (detail != null) {
            message.append(": ").append(detail);
        }
        for (FieldError error : errors) {
            message.append("; ").append(error.field() == null ? "event" : error.field()).append(' ').append(error.message());
        }
        return message.toString();
    }

    public int status() {
        return status;
    }

    public String eventId() {
        return eventId;
    }

    /** The problem's {@code title}, null when the answer was not problem+json. */
    public String title() {
        return title;
    }

    /** The problem's {@code detail}, null when absent. */
    public String detail() {
        return detail;
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }
}
