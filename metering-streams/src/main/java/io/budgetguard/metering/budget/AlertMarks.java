package io.budgetguard.metering.budget;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The marks of emitted alerts (one per budget, period and threshold, in a logged store: the truth across restarts),
 * read through a bounded in-memory cache so that an event does not look each reached threshold up in the store again.
 * The stream thread is the only writer; the cache is cleared whenever the store changes by other means (restore on
 * (re)initialisation, purge).
 */
final class AlertMarks {

    private record Key(String tenantId, String budgetId, PeriodKind kind, Instant periodStart) {}

    private final KeyValueStore<String, Long> store;
    private final Map<Key, Map<Integer, Boolean>> cache;

    AlertMarks(KeyValueStore<String, Long> store, int maxCachedPeriods) {
        this.store = store;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Map<Integer, Boolean>> eldest) {
                return size() > maxCachedPeriods;
            }
        };
    }

    boolean isMarked(BudgetRule rule, BudgetPeriod period, int threshold) {
        Map<Integer, Boolean> thresholds = thresholdsOf(rule, period);
        Boolean marked = thresholds.get(threshold);
        if (marked == null) {
            marked = store.get(StoreKeys.alerted(period.end(), rule.alertId(period, threshold))) != null;
            thresholds.put(threshold, marked);
        }
        return marked;
    }

    void mark(BudgetRule rule, BudgetPeriod period, int threshold, Instant at) {
        store.put(StoreKeys.alerted(period.end(), rule.alertId(period, threshold)), at.toEpochMilli());
        thresholdsOf(rule, period).put(threshold, Boolean.TRUE);
    }

    void clear() {
        cache.clear();
    }

    private Map<Integer, Boolean> thresholdsOf(BudgetRule rule, BudgetPeriod period) {
        return cache.computeIfAbsent(new Key(rule.tenantId(), rule.budgetId(), period.kind(), period.start()),
                key -> new HashMap<>(8));
    }
}
