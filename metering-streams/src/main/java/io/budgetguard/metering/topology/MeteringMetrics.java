package io.budgetguard.metering.topology;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Counters of the metering topology, registered as Kafka Streams custom metrics (group
 * {@code stream-budgetguard-metering-metrics}, metrics {@code <name>-total} and {@code <name>-rate}, per stream thread),
 * so they appear in {@code KafkaStreams#metrics()} and from there on {@code /metrics}.
 */
public final class MeteringMetrics {

    public static final String SCOPE = "budgetguard-metering";
    public static final String ENTITY = "usage";
    public static final String REJECTED = "rejected";
    public static final String DUPLICATES = "duplicates";
    public static final String UNPRICED = "unpriced";
    public static final String ALERTS = "alerts";

    private MeteringMetrics() {}

    /** The counter {@code name} of the current stream thread (created on first use, shared by its tasks). */
    public static Sensor counter(StreamsMetrics metrics, String name) {
        return metrics.addRateTotalSensor(SCOPE, ENTITY, name, Sensor.RecordingLevel.INFO);
    }
}
