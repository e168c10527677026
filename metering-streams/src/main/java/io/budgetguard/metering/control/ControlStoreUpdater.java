package io.budgetguard.metering.control;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global-store processor of a compacted control-plane topic: keeps the global store equal to the topic (raw value
 * bytes, tombstones delete) and an in-memory {@link ControlIndex} equal to the store.
 *
 * <p>Values are decoded here rather than by the source's deserializer so that one undecodable control record is
 * logged and skipped instead of stopping the global thread. The index is rebuilt from the store in {@link #init}, which
 * covers both ways Kafka Streams fills a global store on start-up (copying the topic into the store, or replaying it
 * through this processor).
 */
public final class ControlStoreUpdater<V> implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ControlStoreUpdater.class);

    private final String storeName;
    private final String topic;
    private final Deserializer<V> deserializer;
    private final ControlIndex<V> index;
    private KeyValueStore<String, byte[]> store;

    public ControlStoreUpdater(String storeName, String topic, Deserializer<V> deserializer, ControlIndex<V> index) {
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.index = Objects.requireNonNull(index, "index");
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
        Map<String, V> entries = new HashMap<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                V value = decode(entry.key, entry.value);
                if (value != null) {
                    entries.put(entry.key, value);
                }
            }
        }
        index.replaceAll(entries);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String key = record.key();
        if (key == null) {
            LOG.warn("Ignoring a record without key on {}", topic);
            return;
        }
        if (record.value() == null) {
            store.delete(key);
            index.remove(key);
            return;
        }
        V value = decode(key, record.value());
        if (value != null) {
            store.put(key, record.value());
            index.put(key, value);
        }
    }

    private V decode(String key, byte[] bytes) {
        try {
            return deserializer.deserialize(topic, bytes);
        } catch (RuntimeException e) {
            if (!DecodeFailures.isBadRecord(e)) {
                throw e;
            }
            LOG.warn("Ignoring undecodable record '{}' on {}: {}", key, topic, DecodeFailures.describe(e));
            return null;
        }
    }
}
