package io.budgetguard.metering.spend;

import static io.budgetguard.metering.testing.Fixtures.MODEL;
import static io.budgetguard.metering.testing.Fixtures.budget;
import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.metering.budget.BudgetRule;
import io.budgetguard.metering.budget.PeriodKind;
import io.budgetguard.metering.budget.StatusLevel;
import io.budgetguard.metering.testing.MeteringDriver;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test model costs $1 per million input tokens: an event of N input tokens costs N µ$. */
class SpendReaderTest {

    private static final Instant MAR_10 = Instant.parse("2026-03-10T12:00:00Z");
    private MeteringDriver metering;

    @BeforeEach
    void start() {
        metering = new MeteringDriver().price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")));
    }

    @AfterEach
    void close() {
        metering.close();
    }

    @Test
    void shouldReadTheBudgetsPeriodSpendCountAndTokens() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));
        metering.send(event("acme", "e1", MAR_10, 400_000)).send(event("acme", "e2", MAR_10.plusSeconds(1), 150_000));

        BudgetSpend spend = read("acme", "monthly", MAR_10);

        assertThat(spend.totals().spendUsd()).isEqualTo(usd("0.55"));
        assertThat(spend.totals().eventCount()).isEqualTo(2);
        assertThat(spend.totals().inputTokens()).isEqualTo(550_000);
        assertThat(spend.period().start()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
        assertThat(spend.status()).isEqualTo(StatusLevel.WARNING);
    }

    @Test
    void shouldReportCrossedAndAlertedThresholds() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));
        metering.send(event("acme", "e1", MAR_10, 850_000));

        BudgetSpend spend = read("acme", "monthly", MAR_10);

        assertThat(spend.thresholdsCrossed()).containsExactly(50, 80);
        assertThat(spend.thresholdsAlerted()).containsExactly(50, 80);
    }

    @Test
    void shouldShowCrossedButNotAlertedForABudgetCreatedAboveAThresholdBeforeItsNextEvent() {
        metering.send(event("acme", "e1", MAR_10, 600_000));
        metering.budget(monthlyBudget("acme", "late-budget", "1"));

        BudgetSpend spend = read("acme", "late-budget", MAR_10);

        assertThat(spend.thresholdsCrossed()).containsExactly(50);
        assertThat(spend.thresholdsAlerted()).isEmpty();
    }

    @Test
    void shouldReadOnlyTheScopeOfANarrowedBudget() {
        metering.budget(budget("acme", "one-key", "1", "monthly", List.of(50, 100), "kkey1", null));
        metering.send(event("acme", "kkey1", "e1", MAR_10, MODEL, 100_000))
                .send(event("acme", "kkey2", "e2", MAR_10, MODEL, 300_000));

        BudgetSpend spend = read("acme", "one-key", MAR_10);

        assertThat(spend.totals().spendUsd()).isEqualTo(usd("0.1"));
        assertThat(spend.totals().eventCount()).isEqualTo(1);
    }

    @Test
    void shouldReadAPastPeriodSeparatelyFromTheCurrentOne() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));
        metering.send(event("acme", "feb", Instant.parse("2026-02-27T12:00:00Z"), 200_000))
                .send(event("acme", "mar", MAR_10, 300_000));

        assertThat(read("acme", "monthly", Instant.parse("2026-02-01T00:00:00Z")).totals().spendUsd())
                .isEqualTo(usd("0.2"));
        assertThat(read("acme", "monthly", MAR_10).totals().spendUsd()).isEqualTo(usd("0.3"));
    }

    @Test
    void shouldAnswerZeroForAPeriodWithoutUsage() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));

        BudgetSpend spend = read("acme", "monthly", MAR_10);

        assertThat(spend.totals().spendUsd()).isEqualTo(usd("0"));
        assertThat(spend.totals().eventCount()).isZero();
        assertThat(spend.status()).isEqualTo(StatusLevel.OK);
        assertThat(spend.thresholdsCrossed()).isEmpty();
    }

    @Test
    void shouldNeverReadAnotherTenantsSpend() {
        metering.budget(monthlyBudget("acme", "shared-name", "1"));
        metering.budget(monthlyBudget("other", "shared-name", "1"));
        metering.send(event("other", "e1", MAR_10, 900_000));

        assertThat(read("acme", "shared-name", MAR_10).totals().eventCount()).isZero();
        assertThat(read("other", "shared-name", MAR_10).totals().eventCount()).isEqualTo(1);
    }

    private BudgetSpend read(String tenant, String budgetId, Instant inPeriod) {
        BudgetRule rule = metering.views().budgets().budgetsOf(tenant).stream()
                .filter(r -> r.budgetId().equals(budgetId)).findFirst().orElseThrow();
        return metering.spendReader().read(rule, rule.periodContaining(inPeriod));
    }

    @Test
    void shouldUseTheWeeklyPeriodOfAWeeklyBudget() {
        metering.budget(budget("acme", "weekly", "1", "weekly", List.of(100), null, null));
        metering.send(event("acme", "sun", Instant.parse("2026-03-08T23:00:00Z"), 100_000))
                .send(event("acme", "mon", Instant.parse("2026-03-09T01:00:00Z"), 200_000));

        BudgetSpend spend = read("acme", "weekly", MAR_10);

        assertThat(spend.period().kind()).isEqualTo(PeriodKind.WEEKLY);
        assertThat(spend.period().start()).isEqualTo(Instant.parse("2026-03-09T00:00:00Z"));
        assertThat(spend.totals().spendUsd()).isEqualTo(usd("0.2"));
    }
}
