package io.budgetguard.common.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that reads every partition of some compacted control-plane topics from the beginning (no consumer
 * group, nothing committed, {@code read_committed}) into a service's in-memory copy, for the life of the service:
 * ingest's control-plane view and the ledger API's key view use it; each keeps its own materialisation behind
 * {@link Target}. The target is marked caught up once every partition reached the end offset seen at start. A record
 * that cannot be decoded is logged and skipped: one bad record must not hide every later revocation. While a topic
 * does not exist yet (or Kafka is unreachable) the reader keeps trying, once a second.
 */
public final class ControlTopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlTopicReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
    private static final long RETRY_MILLIS = 1000;

    /** What the records are applied to; called from the reader's thread only. */
    public interface Target {

        /** One record: {@code value} is the decoded value, null for a tombstone; {@code key} is never null. */
        void apply(String topic, String key, Object value, int partition, long offset);

        boolean isCaughtUp();

        void markCaughtUp();
    }

    private final String name;
    private final Consumer<String, byte[]> consumer;
    private final Map<String, Deserializer<?>> valuesByTopic;
    private final Target target;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private Map<TopicPartition, Long> endOffsetsAtStart;
    private String missingTopicLogged;

    /**
     * @param name          the thread's name and the first word of its log lines
     * @param valuesByTopic the topics to read, each with the deserializer of its values
     */
    public ControlTopicReader(String name, Consumer<String, byte[]> consumer,
            Map<String, ? extends Deserializer<?>> valuesByTopic, Target target) {
        this.name = Objects.requireNonNull(name, "name");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.valuesByTopic = Collections.unmodifiableMap(new LinkedHashMap<>(valuesByTopic));
        this.target = Objects.requireNonNull(target, "target");
        if (valuesByTopic.isEmpty()) {
            throw new IllegalArgumentException("At least one topic to read");
        }
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Consumer settings: no group, nothing committed, transactional records only once committed. */
    public static Map<String, Object> consumerConfig(String bootstrapServers, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return config;
    }

    public void start() {
        thread.start();
    }

    @Override
    public void close() {
        stopping.countDown();
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!isStopping()) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close() woke us up; the loop condition ends the thread
                } catch (KafkaException e) {
                    LOG.warn("{}: {}; retrying in {} ms", name, e.toString(), RETRY_MILLIS);
                    pause();
                }
            }
        } catch (RuntimeException e) {
            LOG.error("{} stopped by an unexpected error; its view no longer follows Kafka", name, e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the consumer of {} failed", name, e);
            }
        }
    }

    private void step() {
        if (endOffsetsAtStart == null && !assignAll()) {
            pause();
            return;
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        for (ConsumerRecord<String, byte[]> record : records) {
            apply(record);
        }
        if (!target.isCaughtUp() && reachedEndOffsetsAtStart()) {
            target.markCaughtUp();
            LOG.info("{} caught up ({} partitions)", name, endOffsetsAtStart.size());
        }
    }

    /** Assigns every partition of every topic, from the beginning; false while a topic does not exist yet. */
    private boolean assignAll() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : valuesByTopic.keySet()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                if (!topic.equals(missingTopicLogged)) {
                    LOG.warn("{}: topic {} not found: Kafka is unreachable or the topic does not exist yet (topics are "
                            + "created by the infra topic manifest); it keeps trying", name, topic);
                    missingTopicLogged = topic;
                }
                return false;
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        endOffsetsAtStart = Map.copyOf(consumer.endOffsets(partitions));
        return true;
    }

    private boolean reachedEndOffsetsAtStart() {
        for (Map.Entry<TopicPartition, Long> end : endOffsetsAtStart.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        Object value = null;
        if (record.value() != null) {
            try {
                value = valuesByTopic.get(record.topic()).deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                LOG.warn("{}: skipping undecodable record {}-{}@{}: {}", name, record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                return;
            }
        }
        target.apply(record.topic(), record.key(), value, record.partition(), record.offset());
    }

    private boolean isStopping() {
        return stopping.getCount() == 0;
    }

    private void pause() {
        try {
            stopping.await(RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.countDown();
        }
    }
}
