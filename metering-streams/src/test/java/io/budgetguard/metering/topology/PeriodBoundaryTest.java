package io.budgetguard.metering.topology;

import static io.budgetguard.metering.testing.Fixtures.budget;
import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.budgetguard.metering.budget.BudgetRule;
import io.budgetguard.metering.spend.BudgetSpend;
import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.BudgetAlert;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events count in the period of their {@code occurred_at}, to the millisecond, at every kind of calendar boundary (UTC).
 * The test model costs $1 per million input tokens: N input tokens cost N µ$.
 */
class PeriodBoundaryTest {

    private static final Instant LAST_MS_OF_JANUARY = Instant.parse("2026-01-31T23:59:59.999Z");
    private static final Instant FIRST_MS_OF_FEBRUARY = Instant.parse("2026-02-01T00:00:00Z");
    private MeteringDriver metering;

    @BeforeEach
    void start() {
        metering = new MeteringDriver().price(testModelPrice("v1", Instant.parse("2020-01-01T00:00:00Z")));
    }

    @AfterEach
    void close() {
        metering.close();
    }

    @Test
    void shouldCloseTheMonthAtMidnightUtcToTheMillisecond() {
        metering.budget(budget("acme", "monthly", "1", "monthly", List.of(50), null, null));

        metering.send(event("acme", "jan", LAST_MS_OF_JANUARY, 300_000))
                .send(event("acme", "feb", FIRST_MS_OF_FEBRUARY, 500_000));

        assertThat(spend("monthly", LAST_MS_OF_JANUARY).totals().spendUsd()).isEqualTo(usd("0.3"));
        assertThat(spend("monthly", FIRST_MS_OF_FEBRUARY).totals().spendUsd()).isEqualTo(usd("0.5"));
        assertThat(metering.alerts()).extracting(BudgetAlert::getAlertId)
                .containsExactly("acme/monthly/2026-02-01T00:00:00Z/50");
    }

    @Test
    void shouldGiveTheLeapDayItsOwnDayInFebruaryAndInTheWeekOfMonday28th() {
        metering.budget(budget("acme", "daily", "1", "daily", List.of(100), null, null))
                .budget(budget("acme", "weekly", "1", "weekly", List.of(100), null, null))
                .budget(budget("acme", "monthly", "1", "monthly", List.of(100), null, null));
        Instant leapDay = Instant.parse("2028-02-29T12:00:00Z");

        metering.send(event("acme", "feb-28", Instant.parse("2028-02-28T23:59:59.999Z"), 100_000))
                .send(event("acme", "feb-29", leapDay, 200_000))
                .send(event("acme", "mar-1", Instant.parse("2028-03-01T00:00:00Z"), 400_000));

        BudgetSpend daily = spend("daily", leapDay);
        assertThat(daily.period().start()).isEqualTo(Instant.parse("2028-02-29T00:00:00Z"));
        assertThat(daily.period().end()).isEqualTo(Instant.parse("2028-03-01T00:00:00Z"));
        assertThat(daily.totals().spendUsd()).isEqualTo(usd("0.2"));
        BudgetSpend monthly = spend("monthly", leapDay);
        assertThat(monthly.period().end()).isEqualTo(Instant.parse("2028-03-01T00:00:00Z"));
        assertThat(monthly.totals().spendUsd()).isEqualTo(usd("0.3"));
        BudgetSpend weekly = spend("weekly", leapDay);
        assertThat(weekly.period().start()).isEqualTo(Instant.parse("2028-02-28T00:00:00Z"));
        assertThat(weekly.totals().spendUsd()).isEqualTo(usd("0.7"));
        assertThat(spend("monthly", Instant.parse("2028-03-01T00:00:00Z")).totals().spendUsd()).isEqualTo(usd("0.4"));
    }

    @Test
    void shouldKeepIsoWeek53WholeAcrossTheYearBoundary() {
        assertThat(LocalDate.parse("2026-12-28").get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)).isEqualTo(53);
        metering.budget(budget("acme", "weekly", "1", "weekly", List.of(50, 80, 100), null, null));

        metering.send(event("acme", "mon", Instant.parse("2026-12-28T00:00:00Z"), 300_000))
                .send(event("acme", "thu", Instant.parse("2026-12-31T23:59:59.999Z"), 300_000))
                .send(event("acme", "fri", Instant.parse("2027-01-01T00:00:00Z"), 300_000))
                .send(event("acme", "sun", Instant.parse("2027-01-03T23:59:59.999Z"), 300_000))
                .send(event("acme", "next-mon", Instant.parse("2027-01-04T00:00:00Z"), 600_000));

        assertThat(metering.alerts()).extracting(BudgetAlert::getAlertId, BudgetAlert::getEventId).containsExactly(
                tuple("acme/weekly/2026-12-28T00:00:00Z/50", "thu"),
                tuple("acme/weekly/2026-12-28T00:00:00Z/80", "fri"),
                tuple("acme/weekly/2026-12-28T00:00:00Z/100", "sun"),
                tuple("acme/weekly/2027-01-04T00:00:00Z/50", "next-mon"));
        BudgetSpend week53 = spend("weekly", Instant.parse("2027-01-02T00:00:00Z"));
        assertThat(week53.period().start()).isEqualTo(Instant.parse("2026-12-28T00:00:00Z"));
        assertThat(week53.period().end()).isEqualTo(Instant.parse("2027-01-04T00:00:00Z"));
        assertThat(week53.totals().eventCount()).isEqualTo(4);
        assertThat(week53.totals().spendUsd()).isEqualTo(usd("1.2"));
    }

    @Test
    void shouldStartANewDayAndMonthButNotANewIsoWeekAtYearEnd() {
        metering.budget(budget("acme", "daily", "1", "daily", List.of(100), null, null))
                .budget(budget("acme", "weekly", "1", "weekly", List.of(100), null, null))
                .budget(budget("acme", "monthly", "1", "monthly", List.of(100), null, null));
        Instant lastMs = Instant.parse("2026-12-31T23:59:59.999Z");
        Instant newYear = Instant.parse("2027-01-01T00:00:00Z");

        metering.send(event("acme", "old", lastMs, 700_000)).send(event("acme", "new", newYear, 400_000));

        assertThat(spend("daily", lastMs).totals().spendUsd()).isEqualTo(usd("0.7"));
        assertThat(spend("daily", newYear).totals().spendUsd()).isEqualTo(usd("0.4"));
        assertThat(spend("monthly", lastMs).period().start()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(spend("monthly", newYear).totals().spendUsd()).isEqualTo(usd("0.4"));
        assertThat(spend("weekly", newYear).totals().spendUsd()).isEqualTo(usd("1.1"));
        assertThat(metering.alerts()).extracting(BudgetAlert::getAlertId, BudgetAlert::getEventId)
                .containsExactly(tuple("acme/weekly/2026-12-28T00:00:00Z/100", "new"));
    }

    @Test
    void shouldAlertEachOfSeveralBudgetsOnItsOwnThresholdsWhenOneEventCrossesThemAll() {
        metering.budget(budget("acme", "month", "1", "monthly", List.of(50, 80, 100), null, null))
                .budget(budget("acme", "day", "0.2", "daily", List.of(100), null, null))
                .budget(budget("acme", "key-1", "0.5", "weekly", List.of(50, 100), "kkey1", null))
                .budget(budget("acme", "model", "10", "monthly", List.of(1), null, "test-model"))
                .budget(budget("acme", "other-model", "0.1", "monthly", List.of(1), null, "other-model"));
        Instant mar10 = Instant.parse("2026-03-10T12:00:00Z");

        metering.send(event("acme", "kkey1", "big", mar10, "test-model", 600_000));
        List<BudgetAlert> first = metering.alerts();
        metering.send(event("acme", "kkey2", "more", mar10.plusSeconds(1), "test-model", 300_000));
        List<BudgetAlert> second = metering.alerts();

        assertThat(first).extracting(BudgetAlert::getAlertId).containsExactlyInAnyOrder(
                "acme/month/2026-03-01T00:00:00Z/50",
                "acme/day/2026-03-10T00:00:00Z/100",
                "acme/key-1/2026-03-09T00:00:00Z/50",
                "acme/key-1/2026-03-09T00:00:00Z/100",
                "acme/model/2026-03-01T00:00:00Z/1");
        assertThat(first).allSatisfy(alert -> assertThat(alert.getEventId()).isEqualTo("big"));
        assertThat(second).extracting(BudgetAlert::getAlertId, BudgetAlert::getSpendUsd)
                .containsExactly(tuple("acme/month/2026-03-01T00:00:00Z/80", usd("0.9")));
    }

    @Test
    void shouldCountALateEventInItsPastWeekWithoutTouchingTheCurrentWeek() {
        metering.budget(budget("acme", "weekly", "1", "weekly", List.of(50), null, null));
        Instant thisWeek = Instant.parse("2026-03-10T12:00:00Z");
        metering.send(event("acme", "now", thisWeek, 100_000));

        metering.sendAt(event("acme", "late", Instant.parse("2026-03-08T23:00:00Z"), 600_000), thisWeek.plusSeconds(5));

        assertThat(metering.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getAlertId()).isEqualTo("acme/weekly/2026-03-02T00:00:00Z/50");
            assertThat(alert.getLate()).isTrue();
        });
        assertThat(spend("weekly", thisWeek).totals().spendUsd()).isEqualTo(usd("0.1"));
        assertThat(metering.latestStatus().getBudgets()).singleElement().satisfies(entry -> {
            assertThat(entry.getPeriodStart()).isEqualTo(Instant.parse("2026-03-09T00:00:00Z"));
            assertThat(entry.getSpendUsd()).isEqualTo(usd("0.1"));
            assertThat(entry.getStatus()).isEqualTo("ok");
        });
    }

    @Test
    void shouldNotMarkAnAlertLateWhenTheDelayedEventsPeriodIsStillOpen() {
        metering.budget(budget("acme", "monthly", "1", "monthly", List.of(50), null, null));
        Instant now = Instant.parse("2026-03-10T12:00:00Z");
        metering.send(event("acme", "now", now, 100_000));

        metering.sendAt(event("acme", "yesterday", now.minusSeconds(86_400), 500_000), now.plusSeconds(5));

        assertThat(metering.alerts()).singleElement().satisfies(alert -> assertThat(alert.getLate()).isFalse());
    }

    @Test
    void shouldDropALateCopyOfAnEventAlreadyCounted() {
        metering.budget(budget("acme", "weekly", "1", "weekly", List.of(100), null, null));
        Instant lastWeek = Instant.parse("2026-03-06T12:00:00Z");
        metering.send(event("acme", "e1", lastWeek, 600_000))
                .send(event("acme", "e2", Instant.parse("2026-03-10T12:00:00Z"), 100_000));

        metering.sendAt(event("acme", "e1", lastWeek, 600_000), Instant.parse("2026-03-10T12:00:05Z"));

        assertThat(spend("weekly", lastWeek).totals().eventCount()).isEqualTo(1);
        assertThat(spend("weekly", lastWeek).totals().spendUsd()).isEqualTo(usd("0.6"));
        assertThat(metering.alerts()).isEmpty();
    }

    private BudgetSpend spend(String budgetId, Instant inPeriod) {
        BudgetRule rule = metering.views().budgets().budgetsOf("acme").stream()
                .filter(r -> r.budgetId().equals(budgetId)).findFirst().orElseThrow();
        return metering.spendReader().read(rule, rule.periodContaining(inPeriod));
    }
}
