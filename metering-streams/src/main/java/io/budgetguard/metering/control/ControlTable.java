package io.budgetguard.metering.control;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest value per key of a compacted control-plane topic, for point lookups (API keys by key id, tenants by
 * id). One writer (the global thread), many readers (HTTP threads); a restore replaces the whole map in one swap.
 */
public final class ControlTable<V> implements ControlIndex<V> {

    private volatile ConcurrentHashMap<String, V> entries = new ConcurrentHashMap<>();

    /** The value under {@code key}, or null when absent or deleted. */
    public V get(String key) {
        return key == null ? null : entries.get(key);
    }

    public int size() {
        return entries.size();
    }

    @Override
    public void put(String key, V value) {
        entries.put(key, value);
    }

    @Override
    public void remove(String key) {
        entries.remove(key);
    }

    @Override
    public void replaceAll(Map<String, V> all) {
        entries = new ConcurrentHashMap<>(all);
    }
}
