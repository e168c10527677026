package io.budgetguard.metering.budget;

import io.budgetguard.schemas.PricedUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The spend store: one total per (tenant, UTC day, API key, model), the finest grain any budget can ask for. Each event
 * changes exactly one total; the spend of any budget — any period kind, any scope, created whenever — is a sum of these
 * totals over the period's days, filtered by the budget's key and model.
 *
 * <p>Keys are {@code retain_until NUL tenant NUL day NUL api_key NUL model}: {@code retain_until} (13 zero-padded
 * digits of epoch millis) is the latest end of any period containing the day (its month's or its ISO week's), so the
 * store's byte order is purge order and totals no period needs any more go with one range scan from the start; the
 * day (7 zero-padded digits of its epoch day) right after the tenant makes one day of one tenant a prefix. Parts are
 * separated by NUL, which no tenant id, API key id or model name contains.
 */
public final class SpendByDay {

    private static final char SEPARATOR = '\u0000';
    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private SpendByDay() {}

    /**
     * Adds events to the totals of one task's store. It remembers the totals it wrote most recently (bounded), so the
     * busy totals of a task are read from memory rather than through the store's cache; the store stays the truth
     * (every add writes it) and {@link #forget()} must be called whenever the store changes by other means (restore,
     * purge).
     */
    public static final class Writer {

        private final KeyValueStore<String, SpendTotals> store;
        private final Map<String, SpendTotals> recent;

        public Writer(KeyValueStore<String, SpendTotals> store, int maxRemembered) {
            this.store = store;
            this.recent = new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, SpendTotals> eldest) {
                    return size() > maxRemembered;
                }
            };
        }

        /** Adds one priced event to its (tenant, day, API key, model) total. */
        public void add(long epochDay, PricedUsage usage) {
            String key = key(usage.getTenantId(), epochDay, usage.getApiKeyId(), usage.getModel());
            SpendTotals before = recent.get(key);
            if (before == null) {
                before = store.get(key);
            }
            SpendTotals after = (before == null ? SpendTotals.ZERO : before).plus(usage);
            store.put(key, after);
            recent.put(key, after);
        }

        public void forget() {
            recent.clear();
        }
    }

    /** The sum of the tenant's totals on the period's days, in {@code scope}. */
    public static SpendTotals sum(ReadOnlyKeyValueStore<String, SpendTotals> store, String tenantId, BudgetPeriod period,
            SpendScope scope) {
        SpendTotals sum = SpendTotals.ZERO;
        long end = UtcDays.of(period.end());
        for (long day = UtcDays.of(period.start()); day < end; day++) {
            String prefix = dayPrefix(tenantId, day);
            try (KeyValueIterator<String, SpendTotals> totals = store.prefixScan(prefix, PREFIX_SERIALIZER)) {
                while (totals.hasNext()) {
                    KeyValue<String, SpendTotals> total = totals.next();
                    if (scope.covers(total.key, prefix.length())) {
                        sum = sum.plus(total.value);
                    }
                }
            }
        }
        return sum;
    }

    static String key(String tenantId, long epochDay, String apiKeyId, String model) {
        DayCode code = dayCode(epochDay);
        // built in one go, without the day prefix as a string of its own (one key per event)
        return new StringBuilder(24 + tenantId.length() + apiKeyId.length() + model.length())
                .append(code.retainUntil()).append(SEPARATOR)
                .append(tenantId).append(SEPARATOR)
                .append(code.day()).append(SEPARATOR)
                .append(apiKeyId).append(SEPARATOR).append(model).toString();
    }

    /** Until when a day's totals must be kept: the end of its month or of its ISO week, whichever is later. */
    public static long retainUntilMillis(long epochDay) {
        long latestEnd = Math.max(UtcDays.nextMonthStart(epochDay), UtcDays.weekStart(epochDay) + 7);
        return latestEnd * UtcDays.MILLIS_PER_DAY;
    }

    private static String dayPrefix(String tenantId, long epochDay) {
        DayCode code = dayCode(epochDay);
        return new StringBuilder(24 + tenantId.length())
                .append(code.retainUntil()).append(SEPARATOR)
                .append(tenantId).append(SEPARATOR)
                .append(code.day()).append(SEPARATOR)
                .toString();
    }

    /** The two fixed-width parts of a day's keys; events cluster on a few days, so they are computed once per day. */
    private record DayCode(long epochDay, String retainUntil, String day) {}

    private static volatile DayCode lastDay = new DayCode(Long.MIN_VALUE, "", "");

    private static DayCode dayCode(long epochDay) {
        DayCode code = lastDay;
        if (code.epochDay() != epochDay) {
            code = new DayCode(epochDay, StoreKeys.paddedMillis(retainUntilMillis(epochDay)), padded(epochDay, 7));
            lastDay = code;
        }
        return code;
    }

    private static String padded(long value, int digits) {
        String text = Long.toString(Math.max(0, value));
        return text.length() >= digits ? text : "0".repeat(digits - text.length()) + text;
    }

}
