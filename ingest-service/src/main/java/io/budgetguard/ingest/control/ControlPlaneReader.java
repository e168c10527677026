package io.budgetguard.ingest.control;

import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that reads every partition of the view topics from the beginning (no consumer group, nothing
 * committed, {@code read_committed}) into the {@link ControlPlaneView}, for the life of the service. The view is
 * marked caught up once every partition reached the end offset seen at start. A record that cannot be decoded is
 * logged and skipped: one bad record must not blind the edge to every later revocation.
 */
public final class ControlPlaneReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
    private static final long RETRY_MILLIS = 1000;

    private final Consumer<String, byte[]> consumer;
    private final ControlPlaneView view;
    private final Map<String, AvroSerde<?>> serdesByTopic = new HashMap<>();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private Map<TopicPartition, Long> endOffsetsAtStart;
    private String missingTopicLogged;

    public ControlPlaneReader(Consumer<String, byte[]> consumer, SchemaRegistry registry, ControlPlaneView view) {
        this.consumer = consumer;
        this.view = view;
        for (Topic<?> topic : ControlPlaneView.TOPICS) {
            serdesByTopic.put(topic.name(), topic.valueSerde(registry));
        }
        this.thread = new Thread(this::run, "control-plane-reader");
        this.thread.setDaemon(true);
    }

    /** Consumer settings: no group, nothing committed, transactional records only once committed. */
    public static Map<String, Object> consumerConfig(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "ingest-control-view");
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
                    LOG.warn("Control-plane reader: {}; retrying in {} ms", e.toString(), RETRY_MILLIS);
                    pause();
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Control-plane reader stopped by an unexpected error; the view no longer follows Kafka", e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the control-plane consumer failed", e);
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
        if (!view.isCaughtUp() && reachedEndOffsetsAtStart()) {
            view.markCaughtUp();
            LOG.info("Control-plane view caught up ({} partitions)", endOffsetsAtStart.size());
        }
    }

    /** Assigns every partition of every view topic, from the beginning; false while a topic does not exist yet. */
    private boolean assignAll() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<?> topic : ControlPlaneView.TOPICS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), METADATA_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                if (!topic.name().equals(missingTopicLogged)) {
                    LOG.warn("Topic {} not found: Kafka is unreachable or the topic does not exist yet (topics are "
                            + "created by the infra topic manifest); the control-plane view keeps trying", topic.name());
                    missingTopicLogged = topic.name();
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
        Object value = null;
        if (record.value() != null) {
            try {
                value = serdesByTopic.get(record.topic()).deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                LOG.warn("Skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                return;
            }
        }
        view.apply(record.topic(), record.key(), value, record.partition(), record.offset());
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
