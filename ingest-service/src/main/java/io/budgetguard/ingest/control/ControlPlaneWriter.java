package io.budgetguard.ingest.control;

import io.budgetguard.ingest.http.Problems;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's writes to the control-plane topics. Each write waits for Kafka's acknowledgement and then applies
 * the record to the local {@link ControlPlaneView} at its offset, so that a read right after a write sees it on this
 * instance; other instances see it when their reader gets there (well under a second).
 */
public final class ControlPlaneWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneWriter.class);

    private final Producer<String, byte[]> producer;
    private final SchemaRegistry registry;
    private final ControlPlaneView view;
    private final Duration timeout;
    private final Map<String, AvroSerde<?>> serdes = new ConcurrentHashMap<>();

    public ControlPlaneWriter(Producer<String, byte[]> producer, SchemaRegistry registry, ControlPlaneView view,
            Duration timeout) {
        this.producer = producer;
        this.registry = registry;
        this.view = view;
        this.timeout = timeout;
    }

    /** Publishes {@code value} under {@code key}, waits for the acknowledgement, applies it to the view. */
    public <V extends SpecificRecord> void put(Topic<V> topic, String key, V value) {
        byte[] bytes;
        try {
            bytes = serde(topic).serialize(topic.name(), value);
        } catch (RuntimeException e) {
            LOG.warn("Cannot encode a {} record: {}", topic.name(), e.toString());
            throw Problems.unavailable("The schema registry is unavailable; retry shortly");
        }
        RecordMetadata metadata = send(topic, key, bytes);
        view.apply(topic.name(), key, value, metadata.partition(), metadata.offset());
    }

    /** Publishes a tombstone for {@code key}, waits for the acknowledgement, removes the key from the view. */
    public void delete(Topic<?> topic, String key) {
        RecordMetadata metadata = send(topic, key, null);
        view.apply(topic.name(), key, null, metadata.partition(), metadata.offset());
    }

    private RecordMetadata send(Topic<?> topic, String key, byte[] bytes) {
        try {
            return producer.send(new ProducerRecord<>(topic.name(), key, bytes)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problems.unavailable("Interrupted while writing to Kafka; retry");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("Writing to {} failed: {}", topic.name(), cause.toString());
            throw Problems.unavailable("Kafka did not acknowledge the change within " + timeout.toSeconds()
                    + " s; it may or may not have been applied: read it back or retry");
        }
    }

    @SuppressWarnings("unchecked")
    private <V extends SpecificRecord> AvroSerde<V> serde(Topic<V> topic) {
        return (AvroSerde<V>) serdes.computeIfAbsent(topic.name(), name -> topic.valueSerde(registry));
    }
}
