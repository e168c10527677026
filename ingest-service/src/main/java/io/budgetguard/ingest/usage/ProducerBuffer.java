package io.budgetguard.ingest.usage;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.clients.producer.Producer;

/**
 * How full the producer's buffer ({@code buffer.memory}) is, read from the producer's own metrics. When Kafka is slow
 * or gone, unacknowledged records pile up there; a request that would take the buffer below its headroom is refused
 * at once (503) instead of blocking on it, so an outage costs bounded memory and no request waits twice. A producer
 * without these metrics (a test's {@code MockProducer}) always has room.
 */
final class ProducerBuffer {

    /** The share of the buffer kept free for the admin API's control-plane writes and records already accepted. */
    static final double HEADROOM = 0.125;
    private static final String GROUP = "producer-metrics";

    private final Metric available;
    private final Metric total;

    private ProducerBuffer(Metric available, Metric total) {
        this.available = available;
        this.total = total;
    }

    static ProducerBuffer of(Producer<?, ?> producer) {
        Metric available = null;
        Metric total = null;
        for (Map.Entry<MetricName, ? extends Metric> entry : producer.metrics().entrySet()) {
            MetricName name = entry.getKey();
            if (GROUP.equals(name.group()) && "buffer-available-bytes".equals(name.name())) {
                available = entry.getValue();
            } else if (GROUP.equals(name.group()) && "buffer-total-bytes".equals(name.name())) {
                total = entry.getValue();
            }
        }
        return new ProducerBuffer(available, total);
    }

    /** True when {@code bytes} more would leave at least the headroom free. */
    boolean hasRoomFor(long bytes) {
        if (available == null || total == null) {
            return true;
        }
        double free = value(available);
        double capacity = value(total);
        return free - bytes >= capacity * HEADROOM;
    }

    private static double value(Metric metric) {
        Object value = metric.metricValue();
        return value instanceof Number number ? number.doubleValue() : Double.MAX_VALUE;
    }
}
