package io.budgetguard.ledger.api;

import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * One daemon thread that reads every partition of the API-key and tenant topics from the beginning (no consumer
 * group, nothing committed, {@code read_committed}) into a {@link ControlKeysView}, for the life of the service, as
 * ingest and metering-streams do. A record that cannot be decoded is logged and skipped, so that one bad record cannot
 * hide every later revocation.
 */
public final class ControlKeysReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlKeysReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long RETRY_MILLIS = 1000;

    private final Consumer<String, byte[]> consumer;
    private final ControlKeysView view;
    private final String apiKeysTopic;
    private final String tenantsTopic;
    private final Deserializer<ApiKey> apiKeys;
    private final Deserializer<Tenant> tenants;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private Map<TopicPartition, Long> endOffsetsAtStart;

    public ControlKeysReader(String bootstrap, SchemaRegistry registry, String apiKeysTopic, String tenantsTopic,
            ControlKeysView view) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "ledger-api-control-view",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.view = view;
        this.apiKeysTopic = apiKeysTopic;
        this.tenantsTopic = tenantsTopic;
        this.apiKeys = Topics.CONTROL_APIKEYS.valueSerde(registry).deserializer();
        this.tenants = Topics.CONTROL_TENANTS.valueSerde(registry).deserializer();
        this.thread = new Thread(this::run, "ledger-api-control-view");
        this.thread.setDaemon(true);
    }

    public ControlKeysReader start() {
        thread.start();
        return this;
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
            while (stopping.getCount() > 0) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close() woke us up; the loop condition ends the thread
                } catch (KafkaException e) {
                    LOG.warn("Ledger API control view: {}; retrying in {} ms", e.toString(), RETRY_MILLIS);
                    pause();
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Ledger API control view stopped by an unexpected error; API keys are no longer followed", e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the control view consumer failed", e);
            }
        }
    }

    private void step() {
        if (endOffsetsAtStart == null && !assignAll()) {
            pause();
            return;
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            apply(record);
        }
        if (!view.isCaughtUp() && endOffsetsAtStart.entrySet().stream()
                .allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
            view.markCaughtUp();
            LOG.info("Ledger API control view caught up");
        }
    }

    private boolean assignAll() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(apiKeysTopic, tenantsTopic)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos == null || infos.isEmpty()) {
                LOG.warn("Topic {} not found yet; the ledger API answers 503 until it can read API keys", topic);
                return false;
            }
            infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        endOffsetsAtStart = Map.copyOf(consumer.endOffsets(partitions));
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        try {
            if (record.topic().equals(apiKeysTopic)) {
                view.apiKey(record.key(), record.value() == null ? null
                        : apiKeys.deserialize(record.topic(), record.value()));
            } else {
                view.tenant(record.key(), record.value() == null ? null
                        : tenants.deserialize(record.topic(), record.value()));
            }
        } catch (RuntimeException e) {
            LOG.warn("Skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
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
