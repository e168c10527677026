package io.budgetguard.bench.streams;

import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Event → alert latency at a fixed arrival rate: events are produced in 5 ms ticks with {@code occurred_at} = the
 * moment they are handed to the producer; an alert's latency is the wall-clock time its record reaches a
 * {@code read_committed} consumer minus its event's {@code occurred_at}. Each tenant of the phase has a daily budget
 * whose ten thresholds are crossed evenly over the phase, so alerts arrive all along it.
 */
final class AlertLatencyRun {

    private static final long TICK_MICROS = 5_000;

    record Result(int alerts, long p50Millis, long p99Millis, long maxMillis, double sentPerSecond,
            Breakdown toEmitted, Breakdown emittedToRead, List<Long> worstPerSecond) {}

    /**
     * Percentiles of one leg of the latency: {@code toEmitted} from the event's {@code occurred_at} to the alert's
     * {@code emitted_at} (the stream thread's clock when it processed the event: the producer's linger, the broker, the
     * stream thread's poll and the work queued before the event), {@code emittedToRead} from there to the alert's
     * arrival at the {@code read_committed} consumer (the rest of the transaction, its commit, the markers and the
     * consumer's fetch).
     */
    record Breakdown(long p50Millis, long p99Millis, long maxMillis) {
        static Breakdown of(long[] values) {
            long[] sorted = values.clone();
            Arrays.sort(sorted);
            return new Breakdown(percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1]);
        }

        @Override
        public String toString() {
            return "p50 " + p50Millis + " ms, p99 " + p99Millis + " ms, max " + maxMillis + " ms";
        }
    }

    /** One alert as read: when its event occurred, when the alert was emitted, when it was read (epoch millis). */
    private record Seen(long occurred, long emitted, long arrived, int partition) {}

    private AlertLatencyRun() {}

    static Result run(String bootstrap, SchemaRegistry registry, KafkaProducer<String, byte[]> producer,
            SampleData data, List<String> tenants, int rate, int seconds) throws InterruptedException {
        AvroSerde<BudgetAlert> alertSerde = Topics.BUDGET_ALERTS.valueSerde(registry);
        List<Seen> latencies = new ArrayList<>();
        Set<String> phaseTenants = Set.copyOf(tenants);
        AtomicBoolean stop = new AtomicBoolean();
        KafkaConsumer<String, byte[]> consumer = committedReaderAtEnd(bootstrap, Topics.BUDGET_ALERTS.name());
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long arrived = System.currentTimeMillis();
                    // only this phase's tenants: a previous phase's late alerts must not count here
                    if (record.key() != null && phaseTenants.contains(record.key())) {
                        BudgetAlert alert = alertSerde.deserialize(record.topic(), record.value());
                        synchronized (latencies) {
                            latencies.add(new Seen(alert.getEventOccurredAt().toEpochMilli(),
                                    alert.getEmittedAt().toEpochMilli(), arrived, record.partition()));
                        }
                    }
                }
            }
            consumer.close();
        }, "alert-reader");
        reader.start();
        Thread probe = lagProbe(bootstrap, stop);

        double sentPerSecond = sendAtRate(producer, registry, data, tenants, rate, seconds);
        Thread.sleep(3_000); // the last alerts' transactions commit within a few commit intervals
        stop.set(true);
        reader.join();
        if (probe != null) {
            probe.join();
        }

        List<Seen> seen;
        synchronized (latencies) {
            seen = List.copyOf(latencies);
        }
        if (seen.isEmpty()) {
            throw new IllegalStateException("no alert arrived during the latency phase");
        }
        String dump = System.getProperty("bench.latencyDump");
        if (dump != null) {
            // one line per alert (occurred, emitted, arrived; epoch millis), for a timeline of the phase
            try {
                java.nio.file.Files.write(java.nio.file.Path.of(dump), seen.stream()
                        .map(s -> s.occurred() + "," + s.emitted() + "," + s.arrived() + "," + s.partition()).toList());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        long[] sorted = seen.stream().mapToLong(s -> s.arrived() - s.occurred()).sorted().toArray();
        long firstSecond = seen.stream().mapToLong(Seen::occurred).min().orElseThrow() / 1000;
        long lastSecond = seen.stream().mapToLong(Seen::occurred).max().orElseThrow() / 1000;
        long[] worst = new long[(int) (lastSecond - firstSecond + 1)];
        for (Seen s : seen) {
            int second = (int) (s.occurred() / 1000 - firstSecond);
            worst[second] = Math.max(worst[second], s.arrived() - s.occurred());
        }
        return new Result(sorted.length, percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1],
                sentPerSecond,
                Breakdown.of(seen.stream().mapToLong(s -> s.emitted() - s.occurred()).toArray()),
                Breakdown.of(seen.stream().mapToLong(s -> s.arrived() - s.emitted()).toArray()),
                Arrays.stream(worst).boxed().toList());
    }

    /**
     * With {@code -Dbench.lagProbe=<file>}: a {@code read_uncommitted} reader of {@code usage.events.v1} and {@code usage.priced.v1} writing one line
     * per input and priced record (e|p, partition, the input event's timestamp, arrival; epoch millis), to see when
     * the broker made each event readable and when the stream thread got to it, before any commit.
     */
    private static Thread lagProbe(String bootstrap, AtomicBoolean stop) {
        String file = System.getProperty("bench.lagProbe");
        if (file == null) {
            return null;
        }
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.USAGE_EVENTS.name(), Topics.USAGE_PRICED.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread thread = new Thread(() -> {
            StringBuilder lines = new StringBuilder();
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    lines.append(record.topic().equals(Topics.USAGE_EVENTS.name()) ? 'e' : 'p')
                            .append(',').append(record.partition()).append(',').append(record.timestamp()).append(',')
                            .append(System.currentTimeMillis()).append('\n');
                }
            }
            consumer.close();
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(file), lines);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "lag-probe");
        thread.start();
        return thread;
    }

    /**
     * A {@code read_committed} consumer of every partition of {@code topic}, positioned at its end (what a phase reads
     * is what the phase caused), fetching within 10 ms of a record's commit.
     */
    static KafkaConsumer<String, byte[]> committedReaderAtEnd(String bootstrap, String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /**
     * Sends latency events to {@code usage.events.v1} at {@code rate} per second for {@code seconds}, open loop in 5 ms
     * ticks, round robin over {@code tenants}, each with {@code occurred_at} = the moment it is handed to the producer;
     * returns the rate achieved, after the producer's flush.
     */
    static double sendAtRate(KafkaProducer<String, byte[]> producer, SchemaRegistry registry, SampleData data,
            List<String> tenants, int rate, int seconds) {
        AvroSerde<UsageEvent> events = Topics.USAGE_EVENTS.valueSerde(registry);
        int perTick = (int) Math.max(1, rate * TICK_MICROS / 1_000_000);
        long ticks = seconds * 1_000_000L / TICK_MICROS;
        long start = System.nanoTime();
        long sent = 0;
        int next = 0;
        for (long tick = 0; tick < ticks; tick++) {
            long due = start + TimeUnit.MICROSECONDS.toNanos(tick * TICK_MICROS);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
            for (int i = 0; i < perTick; i++) {
                String tenant = tenants.get(next++ % tenants.size());
                UsageEvent event = latencyEvent(data, tenant, now);
                producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS.name(), tenant,
                        events.serialize(Topics.USAGE_EVENTS.name(), event)));
                sent++;
            }
        }
        producer.flush();
        return sent / ((System.nanoTime() - start) / 1e9);
    }

    /** Every latency event costs the same: 1 000 input tokens of the first catalog model. */
    static UsageEvent latencyEvent(SampleData data, String tenant, Instant occurredAt) {
        UsageEvent event = data.event(tenant, occurredAt);
        return UsageEvent.newBuilder(event)
                .setProvider(data.catalog().get(0).getProvider())
                .setModel(data.catalog().get(0).getModel())
                .setInputTokens(1_000).setCachedInputTokens(0).setCacheWriteTokens(0).setOutputTokens(0)
                .build();
    }

    static long percentile(long[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
