package io.budgetguard.metering.budget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The outermost layer of the spend store: the values the stream thread writes are kept in a hash map and written to the
 * store beneath (serialised, logged to its changelog, put in RocksDB) when the task commits — once per key and commit,
 * however many events changed it.
 *
 * <p>Why not the Kafka Streams record cache ({@code withCachingEnabled}), which coalesces the same way: it sits below
 * the serialising layer and keeps its entries in a sorted map of byte arrays with LRU bookkeeping, so every event paid a
 * key and value serialisation, a tree lookup over ~60-byte keys, a lock and position tracking — about a fifth of the
 * stream thread's time per event, measured by {@code bench/run.sh streams} (docs/PERFORMANCE.md). Here an event costs
 * one hash-map put.
 *
 * <p>Exactly once: Kafka Streams calls {@link #flushCache()} on every store while it prepares a commit, before the
 * producer's transaction commits, exactly as it flushes its own record cache; the changelog records written there belong
 * to that transaction. Values not yet written are dropped whenever the store is initialised (a task re-created after a
 * crash or a corrupted transaction restores from the changelog, and its input is processed again) and written on a
 * clean close, as the record cache does.
 *
 * <p>Readers: the stream thread that writes (the only writer) sees its own values — {@link #get} looks at the map first,
 * and range reads first write everything to the store beneath. Any other thread (interactive queries) reads the store
 * beneath only, i.e. every event up to the last commit; it never touches the map, which is the stream thread's alone.
 */
public final class CoalescingKeyValueStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V>
        implements KeyValueStore<K, V> {

    /** Written out early beyond this many keys, so that a long commit interval cannot grow the map without bound. */
    static final int MAX_PENDING = 100_000;

    private final Map<K, V> pending = new HashMap<>();
    /** The thread that writes (the stream thread owning the task); null until the first write. */
    private Thread writer;

    public CoalescingKeyValueStore(KeyValueStore<K, V> inner) {
        super(inner);
    }

    /** A builder of {@code inner}'s store (which must not use the record cache) wrapped in this layer. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner) {
        return new Builder<>(inner);
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        pending.clear();
        writer = null;
        super.init(context, root);
    }

    @Override
    public void flushCache() {
        writeOut();
        super.flushCache();
    }

    @Override
    public void clearCache() {
        pending.clear(); // the task is being recycled: Kafka Streams drops its record cache the same way
        super.clearCache();
    }

    @Override
    public void close() {
        try {
            if (wrapped().isOpen()) {
                writeOut();
            }
        } finally {
            pending.clear();
            writer = null;
            super.close();
        }
    }

    @Override
    public void put(K key, V value) {
        writer = Thread.currentThread();
        if (value == null) {
            delete(key);
            return;
        }
        pending.put(key, value);
        if (pending.size() > MAX_PENDING) {
            writeOut();
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(entry -> put(entry.key, entry.value));
    }

    @Override
    public V delete(K key) {
        V before = isWriter() ? pending.remove(key) : null;
        V stored = wrapped().delete(key);
        return before != null ? before : stored;
    }

    @Override
    public V get(K key) {
        if (isWriter()) {
            V value = pending.get(key);
            if (value != null) {
                return value;
            }
        }
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writeOutIfWriter();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        writeOutIfWriter();
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeOutIfWriter();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        writeOutIfWriter();
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        writeOutIfWriter();
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries() + (isWriter() ? pending.size() : 0);
    }

    /** Values written since the last write-out (for tests). */
    int pendingCount() {
        return pending.size();
    }

    private boolean isWriter() {
        return writer == Thread.currentThread();
    }

    private void writeOutIfWriter() {
        if (isWriter()) {
            writeOut();
        }
    }

    private void writeOut() {
        if (pending.isEmpty()) {
            return;
        }
        List<KeyValue<K, V>> entries = new ArrayList<>(pending.size());
        pending.forEach((key, value) -> entries.add(KeyValue.pair(key, value)));
        wrapped().putAll(entries);
        pending.clear();
    }

    private static final class Builder<K, V> implements StoreBuilder<KeyValueStore<K, V>> {

        private final StoreBuilder<KeyValueStore<K, V>> inner;

        Builder(StoreBuilder<KeyValueStore<K, V>> inner) {
            this.inner = inner;
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
            throw new UnsupportedOperationException("the coalescing layer replaces the record cache");
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
            inner.withCachingDisabled();
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public KeyValueStore<K, V> build() {
            return new CoalescingKeyValueStore<>(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
