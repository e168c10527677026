package io.budgetguard.bench.streams;

import io.budgetguard.schemas.serde.SchemaRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The alert latency's floor, measured like it: the pass-through topology (exactly-once, one dedup store, the same
 * commit interval) fed the same events at the same rate, every output record read by a {@code read_committed}
 * consumer; a record's latency is its arrival there minus its timestamp, which Kafka Streams carries over from the
 * input record (the moment the benchmark's producer sent it). What Kafka Streams, the broker and the transactions cost
 * end to end on this machine before any pricing or budget work: the metering alert latency cannot be lower.
 */
final class PassThroughLatencyRun {

    record Result(int records, long p50Millis, long p99Millis, long maxMillis, double sentPerSecond) {}

    private PassThroughLatencyRun() {}

    static Result run(String bootstrap, SchemaRegistry registry, KafkaProducer<String, byte[]> producer,
            SampleData data, List<String> tenants, int rate, int seconds) throws InterruptedException {
        long[] latencies = new long[rate * seconds + rate]; // what is sent, with room for a rate overshoot
        int[] count = {0};
        AtomicBoolean stop = new AtomicBoolean();
        KafkaConsumer<String, byte[]> consumer = AlertLatencyRun.committedReaderAtEnd(bootstrap,
                PassThroughTopology.OUTPUT);
        long phaseStart = System.currentTimeMillis();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long arrived = System.currentTimeMillis();
                    // only this phase's events: an earlier phase's late records must not count here
                    if (record.timestamp() >= phaseStart) {
                        synchronized (latencies) {
                            if (count[0] < latencies.length) {
                                latencies[count[0]++] = arrived - record.timestamp();
                            }
                        }
                    }
                }
            }
            consumer.close();
        }, "floor-reader");
        reader.start();

        double sentPerSecond = AlertLatencyRun.sendAtRate(producer, registry, data, tenants, rate, seconds);
        Thread.sleep(3_000); // the last records' transactions commit within a few commit intervals
        stop.set(true);
        reader.join();

        long[] sorted;
        synchronized (latencies) {
            sorted = Arrays.copyOf(latencies, count[0]);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no pass-through record arrived during the floor phase");
        }
        Arrays.sort(sorted);
        return new Result(sorted.length, AlertLatencyRun.percentile(sorted, 50),
                AlertLatencyRun.percentile(sorted, 99), sorted[sorted.length - 1], sentPerSecond);
    }
}
