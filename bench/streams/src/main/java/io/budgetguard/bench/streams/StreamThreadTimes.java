package io.budgetguard.bench.streams;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where a stream thread's wall-clock time went during a phase, from Kafka Streams' and its producer's own metrics:
 * the time blocked on the producer (commit, flush, send), the commits' count and latency, and the produce retries.
 * It explains latency that the thread's CPU time cannot: time spent waiting.
 */
final class StreamThreadTimes {

    /** Cumulative metrics, reported as the difference over the phase. */
    private static final Set<String> TOTALS = Set.of("blocked-time-ns-total", "txn-commit-time-ns-total",
            "flush-time-ns-total", "txn-begin-time-ns-total", "txn-send-offsets-time-ns-total", "commit-total",
            "record-retry-total", "record-send-total", "poll-total", "process-total", "punctuate-total");
    /** Windowed maxima and averages, reported as read at the end of the phase. */
    private static final Set<String> GAUGES = Set.of("commit-latency-max", "commit-latency-avg", "poll-latency-max",
            "punctuate-latency-max", "process-latency-max");

    private final Map<String, Double> before;

    private StreamThreadTimes(Map<String, Double> before) {
        this.before = before;
    }

    static StreamThreadTimes start(KafkaStreams streams) {
        return new StreamThreadTimes(read(streams));
    }

    /** One line: each total's increase over the phase (ns totals as ms), then the gauges. */
    String since(KafkaStreams streams) {
        Map<String, Double> after = read(streams);
        return after.entrySet().stream().map(entry -> {
            String name = entry.getKey();
            double value = entry.getValue();
            if (TOTALS.contains(name)) {
                value -= before.getOrDefault(name, 0.0);
            }
            if (name.endsWith("-ns-total")) {
                return String.format(Locale.ROOT, "%s=%.0f ms", name.replace("-ns-total", ""), value / 1e6);
            }
            return String.format(Locale.ROOT, "%s=%.1f", name, value);
        }).collect(Collectors.joining(", "));
    }

    private static Map<String, Double> read(KafkaStreams streams) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
            MetricName name = entry.getKey();
            String group = name.group();
            boolean threadLevel = group.equals("stream-thread-metrics");
            boolean producer = group.equals("producer-metrics");
            if ((threadLevel || producer) && (TOTALS.contains(name.name()) || GAUGES.contains(name.name()))
                    && entry.getValue().metricValue() instanceof Number number) {
                values.merge(name.name(), number.doubleValue(), Double::sum);
            }
        }
        return values;
    }
}
