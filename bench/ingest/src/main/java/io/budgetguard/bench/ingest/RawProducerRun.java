package io.budgetguard.bench.ingest;

import io.budgetguard.ingest.usage.UsagePublisher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * (a) The physical limit: one Kafka producer with ingest's own settings ({@link UsagePublisher#producerConfig}: acks=all,
 * idempotent, same linger, batch size and compression) sending the very records ingest would produce — the same
 * Avro bytes, keyed by the same tenant ids — as fast as it can, from one thread.
 */
final class RawProducerRun {

    record Result(long records, double seconds, double eventsPerSecond, double cpuPercent, double cpuMicrosPerRecord,
            long errors, HostCpu.Share host) {}

    private RawProducerRun() {}

    static Result run(String bootstrap, String topic, List<String> keys, List<byte[]> values, int lingerMs, int warmup,
            int records) {
        Map<String, Object> config = UsagePublisher.producerConfig(bootstrap, lingerMs, Duration.ofSeconds(30));
        // ingest fails a request fast when the buffer is full; here a full buffer just means "wait", as in perf tools
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        AtomicLong errors = new AtomicLong();
        Callback callback = (metadata, exception) -> {
            if (exception != null) {
                errors.incrementAndGet();
            }
        };
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
            send(producer, topic, keys, values, warmup, callback);
            producer.flush();
            CpuMeter cpu = new CpuMeter();
            cpu.start();
            long started = System.nanoTime();
            send(producer, topic, keys, values, records, callback);
            producer.flush();
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Result(records, seconds, records / seconds, cpu.percentOfAllCores(), cpu.cpuMicrosPer(records),
                    errors.get(), cpu.host());
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, List<String> keys, List<byte[]> values,
            int count, Callback callback) {
        int keyCount = keys.size();
        int valueCount = values.size();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, keys.get(i % keyCount), values.get(i % valueCount)), callback);
        }
    }
}
