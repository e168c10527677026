package io.budgetguard.metering.budget;

import io.budgetguard.schemas.PricedUsage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A task's in-memory cache of budget-period sums derived from {@link SpendByDay}: (tenant, period, scope) → totals.
 * A sum is computed from the store the first time a budget needs it and from then on kept equal to the store by
 * adding every event of that tenant that falls in it, so evaluating a budget costs a short list walk, not a scan.
 *
 * <p>It is derived state: never written anywhere, bounded (the sums of the least recently used tenants are dropped and
 * recomputed when needed again, and a tenant keeps at most {@link #MAX_PER_TENANT} sums), and cleared whenever the task
 * (re)initialises, so it can never disagree with a restored store.
 */
final class PeriodSums {

    static final int MAX_PER_TENANT = 64;

    /** One cached sum; mutable, owned by the stream thread. */
    private static final class Sum {
        final PeriodKind kind;
        final long startDay;
        final long endDay;
        final String apiKeyId;
        final String model;
        SpendTotals totals;

        Sum(BudgetPeriod period, SpendScope scope, SpendTotals totals) {
            this.kind = period.kind();
            this.startDay = UtcDays.of(period.start());
            this.endDay = UtcDays.of(period.end());
            this.apiKeyId = scope.apiKeyId();
            this.model = scope.model();
            this.totals = totals;
        }

        boolean covers(long day, String eventKey, String eventModel) {
            return day >= startDay && day < endDay
                    && (apiKeyId.isEmpty() || apiKeyId.equals(eventKey))
                    && (model.isEmpty() || model.equals(eventModel));
        }

        boolean is(PeriodKind otherKind, long otherStartDay, SpendScope scope) {
            return kind == otherKind && startDay == otherStartDay && apiKeyId.equals(scope.apiKeyId())
                    && model.equals(scope.model());
        }
    }

    private final int maxEntries;
    /** Tenants in least-recently-used order, each with its few sums (its budgets' current and recent periods). */
    private final LinkedHashMap<String, List<Sum>> byTenant = new LinkedHashMap<>(256, 0.75f, true);
    private int size;

    PeriodSums(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** Counts an event, already added to the store, in every cached sum it falls in. */
    void add(PricedUsage usage, long epochDay) {
        List<Sum> sums = byTenant.get(usage.getTenantId());
        if (sums == null) {
            return;
        }
        String apiKeyId = usage.getApiKeyId();
        String model = usage.getModel();
        for (int i = 0; i < sums.size(); i++) {
            Sum sum = sums.get(i);
            if (sum.covers(epochDay, apiKeyId, model)) {
                sum.totals = sum.totals.plus(usage);
            }
        }
    }

    /** The sum of {@code scope} in {@code period}, computed by {@code fromStore} if it is not cached. */
    SpendTotals get(String tenantId, BudgetPeriod period, SpendScope scope, Supplier<SpendTotals> fromStore) {
        List<Sum> sums = byTenant.computeIfAbsent(tenantId, t -> new ArrayList<>(4));
        long startDay = UtcDays.of(period.start());
        for (int i = 0; i < sums.size(); i++) {
            Sum sum = sums.get(i);
            if (sum.is(period.kind(), startDay, scope)) {
                return sum.totals;
            }
        }
        Sum computed = new Sum(period, scope, Objects.requireNonNull(fromStore.get(), "sum"));
        if (sums.size() >= MAX_PER_TENANT) {
            // keep the sums of the latest periods: older ones are only asked for by late events
            sums.sort(Comparator.comparingLong((Sum sum) -> sum.endDay).reversed());
            List<Sum> dropped = sums.subList(MAX_PER_TENANT / 2, sums.size());
            size -= dropped.size();
            dropped.clear();
        }
        sums.add(computed);
        if (++size > maxEntries) {
            evictLeastRecentlyUsedTenants();
        }
        return computed.totals;
    }

    void clear() {
        byTenant.clear();
        size = 0;
    }

    private void evictLeastRecentlyUsedTenants() {
        Iterator<Map.Entry<String, List<Sum>>> eldest = byTenant.entrySet().iterator();
        while (size > maxEntries && eldest.hasNext()) {
            size -= eldest.next().getValue().size();
            eldest.remove();
        }
    }
}
