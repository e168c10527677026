package io.budgetguard.metering.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the metering topology.
 *
 * @param dedupHorizon          how long an event id is remembered: a duplicate arriving later than this after the
 *                              first copy (in stream time) is counted again
 * @param spendRetention        how long after its period ended a period's spend totals and alert marks are kept;
 *                              must exceed the oldest event ingest accepts (35 days), or a very late event would
 *                              start its period from zero
 * @param maintenanceInterval   wall-clock interval of the purge of expired spend totals and alert marks
 * @param statusRefreshInterval wall-clock interval at which tenants whose budget period has rolled over get a fresh
 *                              status even without new events (so {@code exceeded} goes back to {@code ok})
 * @param outputInterval        wall-clock interval at which the latest spend snapshot of each changed budget period and
 *                              the status of each changed tenant are emitted (coalesced: both topics are compacted; a
 *                              status whose level changes goes out at once, with its alert)
 */
public record MeteringTopologyConfig(
        Duration dedupHorizon, Duration spendRetention, Duration maintenanceInterval, Duration statusRefreshInterval,
        Duration outputInterval) {

    public static final Duration DEFAULT_DEDUP_HORIZON = Duration.ofDays(7);
    public static final Duration DEFAULT_SPEND_RETENTION = Duration.ofDays(40);
    public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_STATUS_REFRESH_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_OUTPUT_INTERVAL = Duration.ofSeconds(1);

    public MeteringTopologyConfig {
        requirePositive(dedupHorizon, "dedupHorizon");
        requirePositive(spendRetention, "spendRetention");
        requirePositive(maintenanceInterval, "maintenanceInterval");
        requirePositive(statusRefreshInterval, "statusRefreshInterval");
        requirePositive(outputInterval, "outputInterval");
    }

    public static MeteringTopologyConfig defaults() {
        return new MeteringTopologyConfig(DEFAULT_DEDUP_HORIZON, DEFAULT_SPEND_RETENTION, DEFAULT_MAINTENANCE_INTERVAL,
                DEFAULT_STATUS_REFRESH_INTERVAL, DEFAULT_OUTPUT_INTERVAL);
    }

    public MeteringTopologyConfig withDedupHorizon(Duration horizon) {
        return new MeteringTopologyConfig(horizon, spendRetention, maintenanceInterval, statusRefreshInterval,
                outputInterval);
    }

    public MeteringTopologyConfig withOutputInterval(Duration interval) {
        return new MeteringTopologyConfig(dedupHorizon, spendRetention, maintenanceInterval, statusRefreshInterval,
                interval);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
    }
}
