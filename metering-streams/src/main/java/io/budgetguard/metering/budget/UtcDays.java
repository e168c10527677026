package io.budgetguard.metering.budget;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Calendar arithmetic on UTC epoch days (days since 1970-01-01), for the per-event path: no time-zone rules, no
 * allocation beyond a {@link LocalDate} for month boundaries. 1970-01-01 was a Thursday.
 */
public final class UtcDays {

    public static final long MILLIS_PER_DAY = 86_400_000L;

    private UtcDays() {}

    public static long of(Instant instant) {
        return Math.floorDiv(instant.toEpochMilli(), MILLIS_PER_DAY);
    }

    public static Instant start(long epochDay) {
        return Instant.ofEpochMilli(epochDay * MILLIS_PER_DAY);
    }

    /** The Monday of the ISO week containing {@code epochDay}. */
    public static long weekStart(long epochDay) {
        return epochDay - Math.floorMod(epochDay + 3, 7);
    }

    public static long monthStart(long epochDay) {
        LocalDate day = LocalDate.ofEpochDay(epochDay);
        return epochDay - (day.getDayOfMonth() - 1);
    }

    public static long nextMonthStart(long epochDay) {
        return LocalDate.ofEpochDay(epochDay).withDayOfMonth(1).plusMonths(1).toEpochDay();
    }
}
