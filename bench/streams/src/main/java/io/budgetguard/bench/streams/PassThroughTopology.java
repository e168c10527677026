package io.budgetguard.bench.streams;

import io.budgetguard.schemas.topics.Topics;
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
 * records out as bytes, under the same exactly-once settings. It decodes nothing: the dedup key is the record key and
 * a 64-bit hash of the value bytes (about as long as {@code tenant NUL event_id}).
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
            String key = record.key() + '\u0000' + Long.toHexString(hash(record.value()))
                    + Long.toHexString(record.value().length);
            long now = context.currentStreamTimeMs();
            try (WindowStoreIterator<Long> earlier = seen.fetch(key, now - horizon, now)) {
                if (earlier.hasNext()) {
                    return;
                }
            }
            seen.put(key, now, now);
            context.forward(record);
        }

        private static long hash(byte[] bytes) {
            long h = 0xcbf29ce484222325L;
            for (byte b : bytes) {
                h = (h ^ b) * 0x100000001b3L;
            }
            return h;
        }
    }
}
