package io.budgetguard.bench.ingest;

import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.usage.UsagePublisher;
import java.util.List;
import java.util.Map;
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
        CpuMeter cpu = new CpuMeter();
        double measuredSeconds;
        HostCpu.Share host;
        String cpuByThreadGroup;
        double cpuPercent;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
            // the callback runs on the producer's I/O thread when the acknowledgement arrives, as ingest's does
            measuredSeconds = samples.paceOpenLoop(cpu, (index, due) -> producer.send(
                    new ProducerRecord<>(topic, key, values.get(index % values.size())),
                    (metadata, exception) -> samples.record(index, System.nanoTime() - due,
                            exception == null ? null : exception.toString())));
            host = cpu.host();
            cpuByThreadGroup = cpu.cpuMicrosByThreadGroup(samples.total() - samples.warmup());
            cpuPercent = cpu.percentOfAllCores();
            producer.flush();
        }
        return samples.result(measuredSeconds, cpuPercent, cpuByThreadGroup, host);
    }
}
