package io.budgetguard.bench.streams;

import io.budgetguard.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The cost floor of Kafka Streams itself: records in as bytes, one lookup and one insert in a persistent window store
 * with the metering dedup store's retention (the same store type, so the same RocksDB and changelog cost per event),
 * records out as bytes, under the same exactly-once settings. Like the metering topology it deduplicates by
 * (tenant, event_id): the key is the record key (the tenant) and the event id read from the Avro bytes — the third
 * field of {@code UsageEvent}, reached by skipping the first two strings — with nothing else decoded.
 */
final class PassThroughTopology {

    static final String OUTPUT = "bench.passthrough.v1";
    private static final String STORE = "passthrough-dedup-store";

    private PassThroughTopology() {}

    static Topology build(Duration retention) {
        Topology topology = new Topology();
        topology.addSource("source", new StringDeserializer(), new ByteArrayDeserializer(), Topics.USAGE_EVENTS.name());
        topology.addProcessor("dedup", () -> new Dedup(retention.toMillis()), "source");
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(STORE, retention, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()), "dedup");
        topology.addSink("sink", OUTPUT, new StringSerializer(), new ByteArraySerializer(), "dedup");
        return topology;
    }

    /** The event id as the pass-through reads it (the benchmark checks it against the decoded event). */
    static String eventIdOf(byte[] value) {
        return Dedup.eventId(value);
    }

    private static final class Dedup implements Processor<String, byte[], String, byte[]> {

        private final long horizon;
        private ProcessorContext<String, byte[]> context;
        private WindowStore<String, Long> seen;

        Dedup(long horizon) {
            this.horizon = horizon;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.seen = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            String key = record.key() + '\u0000' + eventId(record.value());
            long now = context.currentStreamTimeMs();
            try (WindowStoreIterator<Long> earlier = seen.fetch(key, now - horizon, now)) {
                if (earlier.hasNext()) {
                    return;
                }
            }
            seen.put(key, now, now);
            context.forward(record);
        }

        /** The event id of a usage event in the Confluent wire format: magic byte, 4-byte schema id, then Avro. */
        static String eventId(byte[] value) {
            int[] position = {5};
            skipString(value, position); // tenant_id
            skipString(value, position); // api_key_id
            int length = readLength(value, position);
            return new String(value, position[0], length, StandardCharsets.UTF_8);
        }

        private static void skipString(byte[] value, int[] position) {
            int length = readLength(value, position);
            position[0] += length;
        }

        /** An Avro string's length: a zig-zag varint. */
        private static int readLength(byte[] value, int[] position) {
            int raw = 0;
            int shift = 0;
            int b;
            do {
                b = value[position[0]++] & 0xff;
                raw |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            return (raw >>> 1) ^ -(raw & 1);
        }
    }
}
