package io.budgetguard.metering.spend;

import io.budgetguard.metering.budget.BudgetPeriod;
import io.budgetguard.metering.budget.BudgetRule;
import io.budgetguard.metering.budget.SpendTotals;
import io.budgetguard.metering.budget.StatusLevel;
import java.util.List;

/**
 * One budget's spend in one of its periods, as the state stores hold it.
 *
 * @param thresholdsCrossed the thresholds the period's spend has reached under the budget's current limit
 * @param thresholdsAlerted the thresholds for which an alert was emitted in this period (they differ from the crossed
 *                          ones only after the limit changed, or before the next event of a budget created above a
 *                          threshold)
 */
public record BudgetSpend(BudgetRule budget, BudgetPeriod period, SpendTotals totals, List<Integer> thresholdsCrossed,
        List<Integer> thresholdsAlerted, StatusLevel status) {

    public BudgetSpend {
        thresholdsCrossed = List.copyOf(thresholdsCrossed);
        thresholdsAlerted = List.copyOf(thresholdsAlerted);
    }
}
