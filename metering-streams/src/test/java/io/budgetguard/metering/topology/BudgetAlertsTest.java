package io.budgetguard.metering.topology;

import static io.budgetguard.metering.testing.Fixtures.MODEL;
import static io.budgetguard.metering.testing.Fixtures.PROVIDER;
import static io.budgetguard.metering.testing.Fixtures.budget;
import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.price;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.SpendSnapshot;
import io.budgetguard.schemas.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test model costs $1 per million input tokens: an event of N input tokens costs N µ$. Limits are $1. */
class BudgetAlertsTest {

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
    void shouldAlertExactlyOncePerThresholdAsSpendCrossesFiftyEightyAndHundredPercent() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));
        UsageEvent crossesHundred = event("acme", "e4", MAR_10.plusSeconds(4), 200_000);

        metering.send(event("acme", "e1", MAR_10, 400_000))
                .send(event("acme", "e2", MAR_10.plusSeconds(1), 150_000))
                .send(event("acme", "e3", MAR_10.plusSeconds(2), 300_000))
                .send(crossesHundred)
                .sendAt(crossesHundred, MAR_10.plusSeconds(10))
                .send(event("acme", "e5", MAR_10.plusSeconds(20), 100_000));

        assertThat(metering.alerts())
                .extracting(BudgetAlert::getAlertId, BudgetAlert::getEventId, BudgetAlert::getSpendUsd)
                .containsExactly(
                        tuple("acme/monthly/2026-03-01T00:00:00Z/50", "e2", usd("0.55")),
                        tuple("acme/monthly/2026-03-01T00:00:00Z/80", "e3", usd("0.85")),
                        tuple("acme/monthly/2026-03-01T00:00:00Z/100", "e4", usd("1.05")));
    }

    @Test
    void shouldCarryTheBudgetPeriodAndCrossingEventOnTheAlert() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));

        metering.send(event("acme", "e1", MAR_10, 600_000));

        assertThat(metering.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getTenantId()).isEqualTo("acme");
            assertThat(alert.getBudgetId()).isEqualTo("monthly");
            assertThat(alert.getPeriod()).isEqualTo("monthly");
            assertThat(alert.getPeriodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
            assertThat(alert.getPeriodEnd()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
            assertThat(alert.getThresholdPercent()).isEqualTo(50);
            assertThat(alert.getLimitUsd()).isEqualTo(usd("1"));
            assertThat(alert.getEventOccurredAt()).isEqualTo(MAR_10);
            assertThat(alert.getLate()).isFalse();
        });
    }

    @Test
    void shouldEmitOneAlertPerThresholdWhenOneEventCrossesSeveral() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));

        metering.send(event("acme", "big", MAR_10, 850_000));

        assertThat(metering.alerts()).extracting(BudgetAlert::getThresholdPercent, BudgetAlert::getEventId)
                .containsExactly(tuple(50, "big"), tuple(80, "big"));
    }

    @Test
    void shouldStartFromZeroInTheNextMonth() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));

        metering.send(event("acme", "jan", Instant.parse("2026-01-31T23:00:00Z"), 1_200_000));
        List<BudgetAlert> january = metering.alerts();
        metering.send(event("acme", "feb", Instant.parse("2026-02-01T00:30:00Z"), 600_000));

        assertThat(january).extracting(BudgetAlert::getThresholdPercent).containsExactly(50, 80, 100);
        assertThat(metering.alerts()).extracting(BudgetAlert::getAlertId, BudgetAlert::getSpendUsd)
                .containsExactly(tuple("acme/monthly/2026-02-01T00:00:00Z/50", usd("0.6")));
        assertThat(metering.spendSnapshots()).last()
                .satisfies(kv -> {
                    assertThat(kv.key).isEqualTo("acme/monthly/2026-02-01T00:00:00Z");
                    assertThat(kv.value.getSpendUsd()).isEqualTo(usd("0.6"));
                    assertThat(kv.value.getEventCount()).isEqualTo(1);
                });
    }

    @Test
    void shouldCountALateEventInItsOwnPeriodAndMarkItsAlertLate() {
        metering.budget(monthlyBudget("acme", "monthly", "1"));
        metering.send(event("acme", "feb", Instant.parse("2026-02-02T09:00:00Z"), 100_000));
        metering.spendSnapshots();

        UsageEvent late = event("acme", "late", Instant.parse("2026-01-31T23:59:00Z"), 600_000);
        metering.sendAt(late, Instant.parse("2026-02-02T09:05:00Z"));

        assertThat(metering.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getAlertId()).isEqualTo("acme/monthly/2026-01-01T00:00:00Z/50");
            assertThat(alert.getLate()).isTrue();
            assertThat(alert.getSpendUsd()).isEqualTo(usd("0.6"));
        });
        assertThat(metering.spendSnapshots()).extracting(kv -> kv.key, kv -> kv.value.getSpendUsd())
                .containsExactly(tuple("acme/monthly/2026-01-01T00:00:00Z", usd("0.6")));
        assertThat(metering.latestStatus().getBudgets()).singleElement().satisfies(entry -> {
            assertThat(entry.getPeriodStart()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
            assertThat(entry.getSpendUsd()).isEqualTo(usd("0.1"));
        });
    }

    @Test
    void shouldCountOnlyEventsOfTheModelABudgetIsNarrowedTo() {
        metering.price(price(PROVIDER, "other-model", "v1", Instant.parse("2026-01-01T00:00:00Z"), "1", "1", "1", "1"))
                .budget(budget("acme", "model-only", "1", "monthly", List.of(50, 80, 100), null, MODEL));

        metering.send(event("acme", "k1", "other", MAR_10, "other-model", 900_000))
                .send(event("acme", "k1", "mine", MAR_10.plusSeconds(1), MODEL, 100_000));

        assertThat(metering.alerts()).isEmpty();
        assertThat(metering.spendSnapshots()).extracting(kv -> kv.value)
                .extracting(SpendSnapshot::getSpendUsd, SpendSnapshot::getEventCount)
                .containsExactly(tuple(usd("0.1"), 1L));
    }

    @Test
    void shouldCountOnlyEventsOfTheApiKeyABudgetIsNarrowedTo() {
        metering.budget(budget("acme", "key-only", "1", "daily", List.of(50, 80, 100), "kteam00000000001", null));

        metering.send(event("acme", "kteam00000000002", "theirs", MAR_10, MODEL, 900_000))
                .send(event("acme", "kteam00000000001", "mine", MAR_10.plusSeconds(1), MODEL, 600_000));

        assertThat(metering.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getEventId()).isEqualTo("mine");
            assertThat(alert.getSpendUsd()).isEqualTo(usd("0.6"));
            assertThat(alert.getApiKeyId()).isEqualTo("kteam00000000001");
            assertThat(alert.getPeriodStart()).isEqualTo(Instant.parse("2026-03-10T00:00:00Z"));
        });
    }

    @Test
    void shouldCountSpendThatHappenedBeforeTheBudgetWasCreated() {
        metering.send(event("acme", "e1", MAR_10, 600_000))
                .send(event("acme", "e2", MAR_10.plusSeconds(1), 300_000));

        metering.budget(monthlyBudget("acme", "late-budget", "1"))
                .send(event("acme", "e3", MAR_10.plusSeconds(2), 1));

        assertThat(metering.alerts()).extracting(BudgetAlert::getThresholdPercent, BudgetAlert::getEventId,
                BudgetAlert::getSpendUsd).containsExactly(tuple(50, "e3", usd("0.900001")),
                tuple(80, "e3", usd("0.900001")));
        assertThat(metering.spendSnapshots()).extracting(kv -> kv.value)
                .extracting(SpendSnapshot::getSpendUsd, SpendSnapshot::getEventCount)
                .containsExactly(tuple(usd("0.900001"), 3L));
    }

    @Test
    void shouldAggregateWeeklyBudgetsOverTheIsoWeekStartingMonday() {
        metering.budget(budget("acme", "weekly", "1", "weekly", List.of(100), null, null));

        metering.send(event("acme", "sunday-before", Instant.parse("2026-03-08T23:00:00Z"), 900_000))
                .send(event("acme", "monday", Instant.parse("2026-03-09T00:00:00Z"), 500_000))
                .send(event("acme", "sunday", Instant.parse("2026-03-15T23:59:59Z"), 500_000));

        assertThat(metering.alerts()).extracting(BudgetAlert::getAlertId, BudgetAlert::getEventId)
                .containsExactly(tuple("acme/weekly/2026-03-09T00:00:00Z/100", "sunday"));
    }

    @Test
    void shouldEmitASpendSnapshotPerMatchingBudgetKeyedByTenantBudgetAndPeriod() {
        metering.budget(monthlyBudget("acme", "monthly", "100"))
                .budget(budget("acme", "daily", "10", "daily", List.of(50), null, null))
                .budget(budget("acme", "other-model", "10", "daily", List.of(50), null, "nope"));

        metering.send(event("acme", "e1", MAR_10, 2000));

        List<KeyValue<String, SpendSnapshot>> snapshots = metering.spendSnapshots();
        assertThat(snapshots).extracting(kv -> kv.key).containsExactly(
                "acme/daily/2026-03-10T00:00:00Z", "acme/monthly/2026-03-01T00:00:00Z");
        assertThat(snapshots.get(0).value.getInputTokens()).isEqualTo(2000);
        assertThat(snapshots.get(0).value.getPeriodEnd()).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
    }

    @Test
    void shouldEmitTheFinalSnapshotOfEveryPeriodABudgetChangedInWithinOneOutputInterval() {
        metering.budget(budget("acme", "daily", "10", "daily", List.of(50), null, null));
        UsageEvent tenth = event("acme", "e1", MAR_10, 1000);
        UsageEvent eleventh = event("acme", "e2", MAR_10.plus(Duration.ofDays(1)), 20);
        UsageEvent tenthAgain = event("acme", "e3", MAR_10.plusSeconds(60), 300);

        // one output interval: the same budget changes in one period, another, then the first again
        for (UsageEvent event : List.of(tenth, eleventh, tenthAgain)) {
            metering.sendRaw("acme", metering.encode(event), event.getReceivedAt());
        }
        metering.advanceWallClock(MeteringTopologyConfig.DEFAULT_OUTPUT_INTERVAL);

        assertThat(metering.spendSnapshots())
                .extracting(kv -> kv.key, kv -> kv.value.getInputTokens(), kv -> kv.value.getEventCount())
                .containsExactlyInAnyOrder(
                        tuple("acme/daily/2026-03-10T00:00:00Z", 1300L, 2L),
                        tuple("acme/daily/2026-03-11T00:00:00Z", 20L, 1L));
    }

    @Test
    void shouldNotAlertForABudgetDeletedBeforeTheCrossingEvent() {
        metering.budget(monthlyBudget("acme", "monthly", "1")).deleteBudget("acme", "monthly");

        metering.send(event("acme", "e1", MAR_10, 900_000));

        assertThat(metering.alerts()).isEmpty();
        assertThat(metering.latestStatus().getBudgets()).isEmpty();
    }
}
