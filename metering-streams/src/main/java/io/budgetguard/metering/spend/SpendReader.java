package io.budgetguard.metering.spend;

import io.budgetguard.metering.budget.BudgetPeriod;
import io.budgetguard.metering.budget.BudgetRule;
import io.budgetguard.metering.budget.SpendByDay;
import io.budgetguard.metering.budget.SpendTotals;
import io.budgetguard.metering.budget.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads a budget's spend from the stores of the task that owns its tenant: the sum of the tenant's per-day totals over
 * the period's days in the budget's scope (one prefix scan per day, as {@code BudgetEvaluator} computes it) and one
 * lookup per threshold in the alert marks.
 */
public final class SpendReader {

    private final ReadOnlyKeyValueStore<String, SpendTotals> spend;
    private final ReadOnlyKeyValueStore<String, Long> alerted;

    public SpendReader(ReadOnlyKeyValueStore<String, SpendTotals> spend, ReadOnlyKeyValueStore<String, Long> alerted) {
        this.spend = Objects.requireNonNull(spend, "spend");
        this.alerted = Objects.requireNonNull(alerted, "alerted");
    }

    /** The budget's spend in {@code period} (zero when nothing was counted in it). */
    public BudgetSpend read(BudgetRule budget, BudgetPeriod period) {
        SpendTotals totals = SpendByDay.sum(spend, budget.tenantId(), period, budget.scope());
        List<Integer> crossed = new ArrayList<>();
        List<Integer> alertedThresholds = new ArrayList<>();
        for (int threshold : budget.thresholds()) {
            if (budget.reached(threshold, totals.spendUsd())) {
                crossed.add(threshold);
            }
            if (alerted.get(StoreKeys.alerted(period.end(), budget.alertId(period, threshold))) != null) {
                alertedThresholds.add(threshold);
            }
        }
        return new BudgetSpend(budget, period, totals, crossed, alertedThresholds, budget.statusAt(totals.spendUsd()));
    }
}
