package io.budgetguard.metering.budget;

import static io.budgetguard.metering.testing.Fixtures.budget;
import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetRuleTest {

    @Test
    void shouldSortAndDeduplicateThresholdsAndDefaultThemWhenNoneAreGiven() {
        assertThat(rule("1", List.of(100, 50, 50, 0)).thresholds()).containsExactly(50, 100);
        assertThat(rule("1", List.of()).thresholds()).containsExactly(50, 80, 100);
    }

    @Test
    void shouldRefuseABudgetWithAnUnknownPeriod() {
        assertThat(BudgetRule.from(budget("acme", "b", "1", "yearly", List.of(50), null, null))).isEmpty();
    }

    @Test
    void shouldReachAThresholdAtExactlyItsShareOfTheLimit() {
        BudgetRule rule = rule("10", List.of(50, 80, 100));

        assertThat(rule.reached(80, usd("7.999999999"))).isFalse();
        assertThat(rule.reached(80, usd("8"))).isTrue();
    }

    @Test
    void shouldBeExceededAtTheLimitAndWarnFromTheLowestThresholdBelowIt() {
        BudgetRule rule = rule("10", List.of(80, 50, 100));

        assertThat(rule.statusAt(usd("4.99"))).isEqualTo(StatusLevel.OK);
        assertThat(rule.statusAt(usd("5"))).isEqualTo(StatusLevel.WARNING);
        assertThat(rule.statusAt(usd("10"))).isEqualTo(StatusLevel.EXCEEDED);
    }

    @Test
    void shouldNeverWarnWhenTheOnlyThresholdIsTheLimit() {
        BudgetRule rule = rule("10", List.of(100));

        assertThat(rule.statusAt(usd("9.99"))).isEqualTo(StatusLevel.OK);
        assertThat(rule.statusAt(usd("10"))).isEqualTo(StatusLevel.EXCEEDED);
    }

    @Test
    void shouldTreatAZeroLimitAsExceededByAnySpendButNotByNone() {
        BudgetRule rule = rule("0", List.of(50, 100));

        assertThat(rule.statusAt(usd("0"))).isEqualTo(StatusLevel.OK);
        assertThat(rule.statusAt(usd("0.000000001"))).isEqualTo(StatusLevel.EXCEEDED);
    }

    private static BudgetRule rule(String limit, List<Integer> thresholds) {
        return BudgetRule.from(budget("acme", "b", limit, "monthly", thresholds, null, null)).orElseThrow();
    }
}
