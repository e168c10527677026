package io.budgetguard.metering.topology;

import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.metering.budget.SpendTotals;
import io.budgetguard.metering.testing.MeteringDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MaintenanceTest {

    private final MeteringDriver metering = new MeteringDriver()
            .price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")))
            .budget(monthlyBudget("acme", "monthly", "0.001"));

    @AfterEach
    void close() {
        metering.close();
    }

    @Test
    void shouldPurgeTotalsAndAlertMarksOfPeriodsThatEndedLongerAgoThanTheRetention() {
        metering.send(event("acme", "january", Instant.parse("2026-01-15T12:00:00Z"), 1000));
        metering.send(event("acme", "april", Instant.parse("2026-04-15T12:00:00Z"), 1000));

        metering.advanceWallClock(MeteringTopologyConfig.DEFAULT_MAINTENANCE_INTERVAL.plus(Duration.ofSeconds(1)));

        // stream time is mid-April: January's periods ended > 40 days before, April's have not ended
        assertThat(periodsIn(MeteringTopology.SPEND_STORE)).containsOnly("april");
        assertThat(keys(MeteringTopology.ALERTED_STORE)).isNotEmpty()
                .allSatisfy(key -> assertThat(key).contains("2026-04-01T00:00:00Z"));
    }

    private List<String> periodsIn(String storeName) {
        KeyValueStore<String, SpendTotals> store = metering.driver().getKeyValueStore(storeName);
        List<String> months = new ArrayList<>();
        try (KeyValueIterator<String, SpendTotals> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, SpendTotals> entry = all.next();
                long periodEnd = Long.parseLong(entry.key.substring(0, 13));
                months.add(periodEnd <= Instant.parse("2026-02-02T00:00:00Z").toEpochMilli() ? "january" : "april");
            }
        }
        return months;
    }

    private List<String> keys(String storeName) {
        KeyValueStore<String, Long> store = metering.driver().getKeyValueStore(storeName);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = store.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }
}
