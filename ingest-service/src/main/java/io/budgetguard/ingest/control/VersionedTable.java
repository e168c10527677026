package io.budgetguard.ingest.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The latest value per key of one compacted topic, fed by two writers: the reader thread (every record, in offset
 * order) and the admin API (its own records, as soon as Kafka acknowledged them, possibly before the reader got
 * there). Each entry remembers the partition and offset it came from and an update only wins when it is newer, so a
 * lagging reader can never roll back what the admin API already applied. Deletions (tombstones) stay as markers for
 * the same reason. Values are immutable once published here: nobody mutates a record after {@link #apply}.
 */
final class VersionedTable<V> {

    private record Versioned<V>(int partition, long offset, V value) {}

    private final ConcurrentHashMap<String, Versioned<V>> entries = new ConcurrentHashMap<>();

    /** Applies a record ({@code value} null = tombstone) unless this key already holds a newer one. */
    void apply(String key, V value, int partition, long offset) {
        Versioned<V> update = new Versioned<>(partition, offset, value);
        entries.merge(key, update, (current, next) ->
                current.partition() == next.partition() && current.offset() >= next.offset() ? current : next);
    }

    /** The current value, or null when absent or deleted. */
    V get(String key) {
        Versioned<V> entry = entries.get(key);
        return entry == null ? null : entry.value();
    }

    Optional<V> find(String key) {
        return Optional.ofNullable(get(key));
    }

    /** Every current value that matches, in no particular order. */
    List<V> values(Predicate<? super V> filter) {
        List<V> result = new ArrayList<>();
        for (Versioned<V> entry : entries.values()) {
            V value = entry.value();
            if (value != null && filter.test(value)) {
                result.add(value);
            }
        }
        return result;
    }
}
