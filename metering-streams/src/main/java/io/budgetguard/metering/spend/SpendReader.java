package io.budgetguard.metering.spend;

import io.budgetguard.metering.budget.BudgetPeriod;
import io.budgetguard.metering.budget.BudgetRule;
import io.budgetguard.metering.budget.SpendTotals;
import io.budgetguard.metering.budget.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads a budget's spend from the stores of the task that owns its tenant: one point lookup in the spend totals (the
 * budget's scope in its period, as {@code BudgetEvaluator} keeps it) and one per threshold in the alert marks.
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
        SpendTotals totals = spend.get(StoreKeys.spend(budget.tenantId(), period, budget.scope()));
        if (totals == null) {
            totals = SpendTotals.ZERO;
        }
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
