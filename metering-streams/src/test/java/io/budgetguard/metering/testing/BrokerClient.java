package io.budgetguard.metering.testing;

import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topic;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Talks to the shared stack's broker as ingest and the admin API would (Avro in the wire format, acks=all,
 * idempotent) and reads metering's outputs with {@code read_committed}, keeping only the given tenants' records.
 */
public final class BrokerClient implements AutoCloseable {

    private final HttpSchemaRegistry registry;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Set<String> tenants;
    private final List<PricedUsage> priced = new ArrayList<>();
    private final List<BudgetAlert> alerts = new ArrayList<>();

    /** Starts reading priced usage and alerts from their current end, for {@code tenants} only. */
    public BrokerClient(LocalStack stack, Set<String> tenants) {
        this.registry = new HttpSchemaRegistry(stack.schemaRegistryUrl());
        this.tenants = Set.copyOf(tenants);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.USAGE_PRICED.name(), Topics.BUDGET_ALERTS.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets now, before anything is produced
    }

    /** The partition of {@code usage.events.v1} (6 partitions) a tenant's events go to. */
    public static int partitionOf(String tenant, int partitions) {
        return Utils.toPositive(Utils.murmur2(tenant.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
    }

    public void tenant(Tenant tenant) {
        send(Topics.CONTROL_TENANTS, tenant.getTenantId(), tenant);
    }

    public void apiKey(ApiKey key) {
        send(Topics.CONTROL_APIKEYS, key.getKeyId(), key);
    }

    public void budget(Budget budget) {
        send(Topics.CONTROL_BUDGETS, Fixtures.budgetKey(budget), budget);
    }

    public void price(ModelPrice price) {
        send(Topics.CONTROL_PRICES, Fixtures.priceKey(price), price);
    }

    public void event(UsageEvent event) {
        send(Topics.USAGE_EVENTS, event.getTenantId(), event);
    }

    public <V extends SpecificRecord> void send(Topic<V> topic, String key, V value) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, topic.valueSerde(registry).serialize(topic.name(),
                    value))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Producing to " + topic.name() + " failed", e.getCause());
        }
    }

    /** Sends without waiting for each acknowledgement; {@link #flush()} waits for all. */
    public void eventAsync(UsageEvent event) {
        producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS.name(), event.getTenantId(),
                Topics.USAGE_EVENTS.valueSerde(registry).serialize(Topics.USAGE_EVENTS.name(), event)));
    }

    public void flush() {
        producer.flush();
    }

    /** Reads what was committed since the last poll; returns this client for chaining. */
    public BrokerClient poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (!tenants.contains(record.key())) {
                continue;
            }
            if (record.topic().equals(Topics.USAGE_PRICED.name())) {
                priced.add(Topics.USAGE_PRICED.valueSerde(registry).deserialize(record.topic(), record.value()));
            } else {
                alerts.add(Topics.BUDGET_ALERTS.valueSerde(registry).deserialize(record.topic(), record.value()));
            }
        }
        return this;
    }

    public List<PricedUsage> priced() {
        return List.copyOf(priced);
    }

    public List<BudgetAlert> alerts() {
        return List.copyOf(alerts);
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }
}
