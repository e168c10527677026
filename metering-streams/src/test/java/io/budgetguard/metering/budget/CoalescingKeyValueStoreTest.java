package io.budgetguard.metering.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The coalescing layer in a real task (TopologyTestDriver commits after every input record): several writes of one key
 * within a commit reach the changelog once, with the last value, at the commit — so Kafka Streams does call the layer
 * when it prepares a commit — and the writing thread reads its own writes before they are written out.
 */
class CoalescingKeyValueStoreTest {

    private static final String STORE = "totals-store";
    private static final String CHANGELOG = "coalescing-test-" + STORE + "-changelog";

    private TopologyTestDriver driver;
    private TestInputTopic<String, Long> input;
    /** What the processor saw while processing the last record (pending values, range reads). */
    private final List<String> observed = new ArrayList<>();

    private void start(boolean rangeReads) {
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new LongDeserializer(), "amounts");
        topology.addProcessor("add", () -> new AddTwice(observed, rangeReads), "in");
        topology.addStateStore(CoalescingKeyValueStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long())), "add");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "coalescing-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG,
                Path.of("target", "topology-test-state", UUID.randomUUID().toString()).toAbsolutePath().toString());
        driver = new TopologyTestDriver(topology, props);
        input = driver.createInputTopic("amounts", new StringSerializer(), new LongSerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldWriteEachKeyOnceToTheChangelogWhenTheTaskCommits() {
        start(false);
        input.pipeInput("a", 5L);
        input.pipeInput("b", 7L);
        input.pipeInput("a", 1L);

        // each record wrote its key twice (amount, then amount × 2 more), nothing read a range: the values reached the
        // changelog only when the task committed, once per key
        assertThat(driver.createOutputTopic(CHANGELOG, new StringDeserializer(), new LongDeserializer())
                .readKeyValuesToList())
                .containsExactly(KeyValue.pair("a", 15L), KeyValue.pair("b", 21L), KeyValue.pair("a", 18L));
        KeyValueStore<String, Long> store = driver.getKeyValueStore(STORE);
        assertThat(((CoalescingKeyValueStore<?, ?>) store).pendingCount()).isZero();
        assertThat(store.get("a")).isEqualTo(18L);
    }

    @Test
    void shouldLetTheWriterReadItsPendingWrites() {
        start(true);
        input.pipeInput("a", 5L);
        input.pipeInput("b", 7L);

        // the reads saw the writes of the record being processed, before any commit: the get a pending value, the range
        // read (which writes the pending values out first) both keys
        assertThat(observed).containsExactly("get a=5", "range a=15", "get b=7", "range a=15,b=21");
    }

    /** Adds the amount, reads it back, adds twice the amount again, then (if asked) reads every total in a range read. */
    private static final class AddTwice implements Processor<String, Long, Void, Void> {

        private final List<String> observed;
        private final boolean rangeReads;
        private KeyValueStore<String, Long> totals;

        AddTwice(List<String> observed, boolean rangeReads) {
            this.observed = observed;
            this.rangeReads = rangeReads;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            totals = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, Long> record) {
            Long before = totals.get(record.key());
            totals.put(record.key(), (before == null ? 0 : before) + record.value());
            observed.add("get " + record.key() + "=" + totals.get(record.key()));
            totals.put(record.key(), totals.get(record.key()) + 2 * record.value());
            if (!rangeReads) {
                return;
            }
            StringBuilder all = new StringBuilder("range ");
            try (KeyValueIterator<String, Long> range = totals.range(null, null)) {
                while (range.hasNext()) {
                    KeyValue<String, Long> entry = range.next();
                    all.append(all.length() > 6 ? "," : "").append(entry.key).append('=').append(entry.value);
                }
            }
            observed.add(all.toString());
        }
    }
}
