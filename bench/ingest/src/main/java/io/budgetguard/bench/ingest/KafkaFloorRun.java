package io.budgetguard.bench.ingest;

import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.usage.UsagePublisher;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * (d1) The Kafka floor of single-event latency: one record at a time at the rate of (c), open loop as (c) (record
 * {@code i} is due at {@code start + i / rate}, its latency runs from then to its acknowledgement), through a producer
 * with exactly the settings of ingest's small-request producer — {@link UsagePublisher#smallProducerConfig} with
 * {@code INGEST_SMALL_LINGER_MS} and the instance's timeout and buffer, or {@link UsagePublisher#producerConfig} when
 * the two lingers are equal and ingest has one producer — acks=all, idempotent, to the same broker, records of the
 * size ingest produces, keyed by one tenant as (c)'s requests are. What Kafka alone costs a request of (c).
 */
final class KafkaFloorRun {

    private KafkaFloorRun() {}

    static SingleEventLatencyRun.Result run(IngestConfig ingest, String topic, String key, List<byte[]> values, int rps,
            int warmupSeconds, int seconds) {
        Map<String, Object> config = ingest.smallLingerMs() == ingest.lingerMs()
                ? UsagePublisher.producerConfig(ingest.kafkaBootstrap(), ingest.lingerMs(), ingest.publishTimeout(),
                        ingest.producerBufferBytes())
                : UsagePublisher.smallProducerConfig(ingest.kafkaBootstrap(), ingest.smallLingerMs(),
                        ingest.publishTimeout(), ingest.producerBufferBytes());
        // its own client id (metrics and JMX names are per client id); its I/O thread still counts as "ingest producer
        // I/O" in the CPU split (CpuMeter), the role it plays here
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-floor");
        LatencySamples samples = new LatencySamples(rps, warmupSeconds, seconds);
        int warmup = samples.warmup();
        int total = samples.total();
        double interval = 1e9 / rps;
        CpuMeter cpu = new CpuMeter();
        long sendingEnded;
        long measureStart;
        HostCpu.Share host;
        String cpuByThreadGroup;
        double cpuPercent;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
            long start = System.nanoTime() + 50_000_000L;
            measureStart = start + (long) (warmup * interval);
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * interval);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (i == warmup) {
                    cpu.start();
                }
                int index = i;
                // the callback runs on the producer's I/O thread when the acknowledgement arrives, as ingest's does
                producer.send(new ProducerRecord<>(topic, key, values.get(i % values.size())),
                        (metadata, exception) -> samples.record(index, System.nanoTime() - due,
                                exception == null ? null : exception.toString()));
            }
            sendingEnded = System.nanoTime();
            host = cpu.host();
            cpuByThreadGroup = cpu.cpuMicrosByThreadGroup(total - warmup);
            cpuPercent = cpu.percentOfAllCores();
            producer.flush();
        }
        return samples.result((sendingEnded - measureStart) / 1e9, cpuPercent, cpuByThreadGroup, host);
    }
}
