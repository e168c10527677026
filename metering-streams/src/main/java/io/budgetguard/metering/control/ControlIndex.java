package io.budgetguard.metering.control;

import java.util.Map;

/**
 * An in-memory view of a control-plane topic, kept by {@link ControlStoreUpdater} in step with its global store and
 * read by the stream threads. One writer (the global thread), many readers: implementations publish changes safely.
 */
public interface ControlIndex<V> {

    /** The record under {@code key} was created or replaced. */
    void put(String key, V value);

    /** The record under {@code key} was deleted (a tombstone). */
    void remove(String key);

    /** Replaces the whole view, e.g. after the store was restored; readers never see a half-built view. */
    void replaceAll(Map<String, V> entries);
}
