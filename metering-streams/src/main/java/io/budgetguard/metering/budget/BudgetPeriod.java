package io.budgetguard.metering.budget;

import java.time.Instant;
import java.util.Objects;

/** One calendar period of a budget: {@code [start, end)} in UTC. */
public record BudgetPeriod(PeriodKind kind, Instant start, Instant end) {

    public BudgetPeriod {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("Period end " + end + " must be after its start " + start);
        }
    }

    public boolean contains(Instant instant) {
        return !instant.isBefore(start) && instant.isBefore(end);
    }

    /** True when the period was already over at {@code instant}. */
    public boolean endedBy(Instant instant) {
        return !instant.isBefore(end);
    }

    /** The period start as ISO-8601 UTC, e.g. {@code 2026-03-01T00:00:00Z}: the form used in record keys and alert ids. */
    public String startIso() {
        return start.toString();
    }
}
