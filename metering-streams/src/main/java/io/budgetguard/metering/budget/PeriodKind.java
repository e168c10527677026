package io.budgetguard.metering.budget;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/** A budget period kind. Periods are calendar periods in UTC; weeks are ISO weeks (Monday 00:00 UTC). */
public enum PeriodKind {
    DAILY("daily"),
    WEEKLY("weekly"),
    MONTHLY("monthly");

    private final String code;

    PeriodKind(String code) {
        this.code = code;
    }

    /** The name used in the control plane and in every output record: {@code daily}, {@code weekly}, {@code monthly}. */
    public String code() {
        return code;
    }

    /** The period of this kind that contains {@code instant} (start inclusive, end exclusive). */
    public BudgetPeriod periodContaining(Instant instant) {
        LocalDate day = LocalDate.ofInstant(instant, ZoneOffset.UTC);
        LocalDate start = switch (this) {
            case DAILY -> day;
            case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTHLY -> day.withDayOfMonth(1);
        };
        LocalDate end = switch (this) {
            case DAILY -> start.plusDays(1);
            case WEEKLY -> start.plusWeeks(1);
            case MONTHLY -> start.plusMonths(1);
        };
        return new BudgetPeriod(this, start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                end.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** The first epoch day of the period of this kind that contains {@code epochDay}. */
    public long startDay(long epochDay) {
        return switch (this) {
            case DAILY -> epochDay;
            case WEEKLY -> UtcDays.weekStart(epochDay);
            case MONTHLY -> UtcDays.monthStart(epochDay);
        };
    }

    /** The period of this kind that contains {@code epochDay}. */
    public BudgetPeriod periodOfDay(long epochDay) {
        long start = startDay(epochDay);
        long end = switch (this) {
            case DAILY -> start + 1;
            case WEEKLY -> start + 7;
            case MONTHLY -> UtcDays.nextMonthStart(start);
        };
        return new BudgetPeriod(this, UtcDays.start(start), UtcDays.start(end));
    }

    /** The kind named {@code code} (case-insensitive), or empty when it names none. */
    public static Optional<PeriodKind> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (PeriodKind kind : values()) {
            if (kind.code.equalsIgnoreCase(code.trim())) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
