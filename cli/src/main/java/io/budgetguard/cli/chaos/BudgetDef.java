package io.budgetguard.cli.chaos;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A budget the chaos run creates: {@code daily} or {@code monthly} (calendar, UTC), optionally narrowed to a model.
 *
 * @param model null = every model
 */
public record BudgetDef(String tenant, String budgetId, String period, BigDecimal limitUsd, List<Integer> thresholds,
        String model) {

    public BudgetDef {
        if (!period.equals("daily") && !period.equals("monthly")) {
            throw new IllegalArgumentException("period must be daily or monthly, was " + period);
        }
        thresholds = List.copyOf(thresholds);
    }

    public boolean covers(String eventTenant, String eventModel) {
        return tenant.equals(eventTenant) && (model == null || model.equals(eventModel));
    }

    /** The first day (UTC) of the period containing {@code at}. */
    public LocalDate periodStart(Instant at) {
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        return period.equals("daily") ? day : day.withDayOfMonth(1);
    }

    /** True when {@code spend} has reached {@code percent} % of the limit (PRODUCT.md §3.4; zero spend reaches nothing). */
    public boolean reached(int percent, BigDecimal spend) {
        return spend.signum() > 0
                && spend.multiply(BigDecimal.valueOf(100)).compareTo(limitUsd.multiply(BigDecimal.valueOf(percent))) >= 0;
    }
}
