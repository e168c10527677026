package io.budgetguard.metering.budget;

import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.control.Budget;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A budget as the metering topology applies it: a limit per calendar period, ascending thresholds in percent, and an
 * optional narrowing to one API key and/or one model. Built once per control-plane change, not per event.
 */
public record BudgetRule(
        String tenantId, String budgetId, BigDecimal limitUsd, PeriodKind periodKind, List<Integer> thresholds,
        SpendScope scope) {

    public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public BudgetRule {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(budgetId, "budgetId");
        Objects.requireNonNull(limitUsd, "limitUsd");
        Objects.requireNonNull(periodKind, "periodKind");
        Objects.requireNonNull(scope, "scope");
        thresholds = List.copyOf(thresholds);
    }

    /**
     * The rule of a control-plane budget, or empty when the budget cannot be applied (unknown period, negative limit).
     * Thresholds are de-duplicated and sorted; non-positive ones are ignored; none at all means 50, 80, 100.
     */
    public static Optional<BudgetRule> from(Budget budget) {
        Optional<PeriodKind> kind = PeriodKind.fromCode(budget.getPeriod());
        BigDecimal limit = budget.getLimitUsd();
        if (kind.isEmpty() || limit == null || limit.signum() < 0) {
            return Optional.empty();
        }
        List<Integer> thresholds = budget.getThresholds() == null ? List.of()
                : budget.getThresholds().stream().filter(t -> t != null && t > 0).distinct().sorted().toList();
        return Optional.of(new BudgetRule(budget.getTenantId(), budget.getBudgetId(), limit, kind.get(),
                thresholds.isEmpty() ? DEFAULT_THRESHOLDS : thresholds,
                SpendScope.of(blankToNull(budget.getApiKeyId()), blankToNull(budget.getModel()))));
    }

    /** True when the event counts against this budget: same tenant, and the key and model match where narrowed. */
    public boolean matches(PricedUsage usage) {
        return tenantId.equals(usage.getTenantId())
                && (scope.apiKeyId().isEmpty() || scope.apiKeyId().equals(usage.getApiKeyId()))
                && (scope.model().isEmpty() || scope.model().equals(usage.getModel()));
    }

    public BudgetPeriod periodContaining(java.time.Instant instant) {
        return periodKind.periodContaining(instant);
    }

    /**
     * True when {@code spendUsd} has reached {@code percent} % of the limit. Zero spend reaches nothing, so that a
     * zero limit is exceeded by the first cent rather than by no usage at all.
     */
    public boolean reached(int percent, BigDecimal spendUsd) {
        return spendUsd.signum() > 0
                && spendUsd.multiply(HUNDRED).compareTo(limitUsd.multiply(BigDecimal.valueOf(percent))) >= 0;
    }

    /** exceeded at 100 % or more, warning at the lowest threshold below 100 % or more, else ok. */
    public StatusLevel statusAt(BigDecimal spendUsd) {
        if (reached(100, spendUsd)) {
            return StatusLevel.EXCEEDED;
        }
        for (int threshold : thresholds) {
            if (threshold < 100) {
                return reached(threshold, spendUsd) ? StatusLevel.WARNING : StatusLevel.OK;
            }
        }
        return StatusLevel.OK;
    }

    /** {@code tenant/budget/period_start_iso/threshold}: the same crossing always gets the same id. */
    public String alertId(BudgetPeriod period, int threshold) {
        return tenantId + "/" + budgetId + "/" + period.startIso() + "/" + threshold;
    }

    /** {@code tenant/budget/period_start_iso}: the key of this budget's spend snapshots for the period. */
    public String spendKey(BudgetPeriod period) {
        return tenantId + "/" + budgetId + "/" + period.startIso();
    }

    public String apiKeyIdOrNull() {
        return scope.apiKeyId().isEmpty() ? null : scope.apiKeyId();
    }

    public String modelOrNull() {
        return scope.model().isEmpty() ? null : scope.model();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
