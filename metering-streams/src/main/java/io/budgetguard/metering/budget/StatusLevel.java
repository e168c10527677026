package io.budgetguard.metering.budget;

/** A budget's status in its current period, from best to worst. */
public enum StatusLevel {
    OK("ok"),
    WARNING("warning"),
    EXCEEDED("exceeded");

    private final String code;

    StatusLevel(String code) {
        this.code = code;
    }

    /** The name in {@code budget.status.v1} and in the {@code X-Budget-Status} header. */
    public String code() {
        return code;
    }

    public StatusLevel worst(StatusLevel other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
