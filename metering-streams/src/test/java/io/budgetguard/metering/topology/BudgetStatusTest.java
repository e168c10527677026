package io.budgetguard.metering.topology;

import static io.budgetguard.metering.testing.Fixtures.budget;
import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.BudgetStatusEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BudgetStatusTest {

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
    void shouldGoFromOkToWarningToExceeded() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));

        metering.send(event("acme", "e1", MAR_10, 100_000));
        BudgetStatus first = metering.latestStatus();
        metering.send(event("acme", "e2", MAR_10.plusSeconds(1), 400_000));
        BudgetStatus second = metering.latestStatus();
        metering.send(event("acme", "e3", MAR_10.plusSeconds(2), 500_000));
        BudgetStatus third = metering.latestStatus();

        assertThat(List.of(first, second, third)).extracting(BudgetStatus::getStatus)
                .containsExactly("ok", "warning", "exceeded");
        assertThat(third.getBudgets()).singleElement().satisfies(entry -> {
            assertThat(entry.getBudgetId()).isEqualTo("monthly");
            assertThat(entry.getPeriodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
            assertThat(entry.getLimitUsd()).isEqualTo(usd("1"));
            assertThat(entry.getSpendUsd()).isEqualTo(usd("1"));
            assertThat(entry.getStatus()).isEqualTo("exceeded");
        });
    }

    @Test
    void shouldReportEveryBudgetOfTheTenantAndTheWorstStatusOverall() {
        metering.budget(monthlyBudget("acme", "big", "100"))
                .budget(budget("acme", "small", "0.5", "daily", List.of(80, 100), null, null))
                .budget(budget("acme", "elsewhere", "0.1", "daily", List.of(100), "kother0000000000", null));

        metering.send(event("acme", "e1", MAR_10, 450_000));

        BudgetStatus status = metering.latestStatus();
        assertThat(status.getTenantId()).isEqualTo("acme");
        assertThat(status.getStatus()).isEqualTo("warning");
        assertThat(status.getBudgets()).extracting(BudgetStatusEntry::getBudgetId, BudgetStatusEntry::getStatus,
                BudgetStatusEntry::getSpendUsd).containsExactly(
                tuple("big", "ok", usd("0.45")),
                tuple("elsewhere", "ok", usd("0")),
                tuple("small", "warning", usd("0.45")));
    }

    @Test
    void shouldReportOkWithNoBudgetsForATenantWithoutBudgets() {
        metering.send(event("acme", "e1", MAR_10, 450_000));

        BudgetStatus status = metering.latestStatus();
        assertThat(status.getStatus()).isEqualTo("ok");
        assertThat(status.getBudgets()).isEmpty();
    }

    @Test
    void shouldGoBackToOkWhenANewPeriodStartsEvenWithoutNewEvents() {
        metering.budget(budget("acme", "daily", "1", "daily", List.of(50, 80, 100), null, null));
        metering.send(event("acme", "e1", MAR_10, 1_200_000));
        assertThat(metering.latestStatus().getStatus()).isEqualTo("exceeded");

        // wall-clock time moves past the end of that day (it starts months before the events)
        metering.advanceWallClock(Duration.between(MeteringDriver.WALL_CLOCK_START,
                Instant.parse("2026-03-11T00:00:05Z")));

        BudgetStatus refreshed = metering.latestStatus();
        assertThat(refreshed.getStatus()).isEqualTo("ok");
        assertThat(refreshed.getBudgets()).singleElement().satisfies(entry -> {
            assertThat(entry.getPeriodStart()).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
            assertThat(entry.getSpendUsd()).isEqualTo(usd("0"));
        });
    }

    @Test
    void shouldNotRefreshAStatusBeforeItsPeriodEnds() {
        metering.budget(budget("acme", "daily", "1", "daily", List.of(50, 80, 100), null, null));
        metering.send(event("acme", "e1", MAR_10, 1_200_000));
        metering.statuses();

        metering.advanceWallClock(Duration.between(MeteringDriver.WALL_CLOCK_START,
                Instant.parse("2026-03-10T23:59:00Z")));

        assertThat(metering.statuses()).isEmpty();
    }
}
