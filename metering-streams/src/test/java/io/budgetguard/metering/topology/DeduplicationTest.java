package io.budgetguard.metering.topology;

import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeduplicationTest {

    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
    /** For the horizon-boundary cases: the first copy, sent at stream time {@link #FIRST} (not its received_at). */
    private static final Instant FIRST = Instant.parse("2026-03-10T12:07:00Z");
    private static final UsageEvent EVENT = event("acme", "evt-1", FIRST, 1000);
    private MeteringDriver metering;

    @AfterEach
    void close() {
        metering.close();
    }

    @Test
    void shouldPriceAndCountTheSameEventOnlyOnce() {
        metering = new MeteringDriver()
                .price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")))
                .budget(monthlyBudget("acme", "monthly", "100"));
        UsageEvent event = event("acme", "evt-1", T0, 1000);

        metering.send(event).sendAt(event, T0.plusSeconds(5));

        assertThat(metering.priced()).extracting(p -> p.getEventId()).containsExactly("evt-1");
        assertThat(metering.spendSnapshots()).singleElement()
                .satisfies(snapshot -> assertThat(snapshot.value.getEventCount()).isEqualTo(1));
        assertThat(metering.counter(MeteringMetrics.DUPLICATES)).isEqualTo(1.0);
    }

    @Test
    void shouldTreatTheSameEventIdOfAnotherTenantAsADifferentEvent() {
        metering = new MeteringDriver().price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")));

        metering.send(event("acme", "evt-1", T0, 1000)).send(event("globex", "evt-1", T0, 1000));

        assertThat(metering.priced()).extracting(p -> p.getTenantId()).containsExactly("acme", "globex");
    }

    @Test
    void shouldCountAnEventAgainWhenItsCopyArrivesAfterTheDedupHorizon() {
        metering = new MeteringDriver(MeteringTopologyConfig.defaults().withDedupHorizon(Duration.ofHours(1)))
                .price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")));
        UsageEvent event = event("acme", "evt-1", T0, 1000);

        metering.send(event)
                .sendAt(event, T0.plus(Duration.ofMinutes(59)))
                .sendAt(event, T0.plus(Duration.ofHours(3)));

        assertThat(metering.priced()).hasSize(2);
    }

    @Test
    void shouldDropEveryCopyUpToExactlyTheHorizon() {
        metering = oneHourHorizon();

        metering.sendAt(EVENT, FIRST); // stream time of the first copy: exactly 12:07
        for (Duration after : new Duration[] {Duration.ofMinutes(7), Duration.ofMinutes(9), Duration.ofMinutes(24),
                Duration.ofMinutes(39), Duration.ofMinutes(54), Duration.ofHours(1)}) {
            metering.sendAt(EVENT, FIRST.plus(after));
        }

        assertThat(metering.priced()).hasSize(1);
        assertThat(metering.counter(MeteringMetrics.DUPLICATES)).isEqualTo(6.0);
    }

    @Test
    void shouldCountACopyOneMillisecondPastTheHorizon() {
        metering = oneHourHorizon();

        metering.sendAt(EVENT, FIRST).sendAt(EVENT, FIRST.plus(Duration.ofHours(1)).plusMillis(1));

        assertThat(metering.priced()).hasSize(2);
        assertThat(metering.counter(MeteringMetrics.DUPLICATES)).isZero();
    }

    @Test
    void shouldRememberTheSecondCountingOfAnIdForAnotherHorizon() {
        // counted again after the horizon, the id's new first-seen time starts a new horizon
        metering = oneHourHorizon();

        metering.sendAt(EVENT, FIRST)
                .sendAt(EVENT, FIRST.plus(Duration.ofMinutes(90)))
                .sendAt(EVENT, FIRST.plus(Duration.ofMinutes(140)));

        assertThat(metering.priced()).hasSize(2);
        assertThat(metering.counter(MeteringMetrics.DUPLICATES)).isEqualTo(1.0);
    }

    private static MeteringDriver oneHourHorizon() {
        return new MeteringDriver(MeteringTopologyConfig.defaults().withDedupHorizon(Duration.ofHours(1)))
                .price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")));
    }
}
