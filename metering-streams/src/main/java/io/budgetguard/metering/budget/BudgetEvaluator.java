package io.budgetguard.metering.budget;

import io.budgetguard.metering.topology.MeteringMetrics;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.BudgetStatusEntry;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.SpendSnapshot;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts each priced event into the tenant's spend totals, then applies the tenant's budgets: spend snapshots,
 * threshold alerts (exactly once per budget, period and threshold) and the tenant's budget status.
 *
 * <p><b>Spend is aggregated independently of budgets.</b> Every event is added to twelve totals: the three period
 * kinds it falls in (its own day, ISO week and month, from {@code occurred_at}) times the four scopes it counts in
 * (tenant-wide, its API key, its model, its API key with its model). Any budget, including one created or changed
 * mid-period, therefore reads its period's whole spend from one total, with no back-fill and no scan.
 *
 * <p><b>Alerts.</b> After adding an event, every threshold of every matching budget that the period's spend has
 * reached and that is not yet marked in the alert store is emitted and marked, in the same exactly-once transaction
 * as the input offset: duplicates, restarts and replays cannot alert twice. A budget created when its period's spend
 * is already above a threshold alerts on the next event of that period. An alert caused by an event whose period had
 * ended before it was processed is marked {@code late}.
 *
 * <p><b>Processing time</b> (lateness, the status's current period) is the later of stream time and wall-clock time.
 */
public final class BudgetEvaluator implements Processor<String, PricedUsage, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetEvaluator.class);
    /** Bound on one purge pass, so that the stream thread never stalls; the rest goes on the next pass. */
    private static final int MAX_PURGED_PER_PASS = 10_000;

    /** Where the evaluator keeps its state and sends its output. */
    public record Wiring(
            String spendStore, String alertedStore, String statusRefreshStore, String alertsChild, String statusChild,
            String spendChild) {}

    private final BudgetIndex budgets;
    private final Wiring wiring;
    private final Duration spendRetention;
    private final Duration maintenanceInterval;
    private final Duration statusRefreshInterval;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, SpendTotals> spend;
    private KeyValueStore<String, Long> alerted;
    private KeyValueStore<String, Long> statusRefresh;
    private Sensor alerts;

    public BudgetEvaluator(BudgetIndex budgets, Wiring wiring, Duration spendRetention, Duration maintenanceInterval,
            Duration statusRefreshInterval) {
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.wiring = Objects.requireNonNull(wiring, "wiring");
        this.spendRetention = spendRetention;
        this.maintenanceInterval = maintenanceInterval;
        this.statusRefreshInterval = statusRefreshInterval;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.spend = context.getStateStore(wiring.spendStore());
        this.alerted = context.getStateStore(wiring.alertedStore());
        this.statusRefresh = context.getStateStore(wiring.statusRefreshStore());
        this.alerts = MeteringMetrics.counter(context.metrics(), MeteringMetrics.ALERTS);
        context.schedule(maintenanceInterval, PunctuationType.WALL_CLOCK_TIME, this::purgeExpired);
        context.schedule(statusRefreshInterval, PunctuationType.WALL_CLOCK_TIME, this::refreshDueStatuses);
    }

    @Override
    public void process(Record<String, PricedUsage> record) {
        PricedUsage usage = record.value();
        String tenant = usage.getTenantId();
        Instant now = processingTime();
        Instant emittedAt = Instant.ofEpochMilli(context.currentSystemTimeMs());

        PeriodKind[] kinds = PeriodKind.values();
        BudgetPeriod[] periods = new BudgetPeriod[kinds.length];
        SpendTotals[][] totals = new SpendTotals[kinds.length][];
        List<SpendScope> scopes = SpendScope.covering(usage.getApiKeyId(), usage.getModel());
        for (PeriodKind kind : kinds) {
            BudgetPeriod period = kind.periodContaining(usage.getOccurredAt());
            periods[kind.ordinal()] = period;
            totals[kind.ordinal()] = new SpendTotals[scopes.size()];
            for (SpendScope scope : scopes) {
                String key = StoreKeys.spend(tenant, period, scope);
                SpendTotals before = spend.get(key);
                SpendTotals after = (before == null ? SpendTotals.ZERO : before).plus(usage);
                spend.put(key, after);
                totals[kind.ordinal()][scope.index()] = after;
            }
        }

        List<BudgetRule> tenantBudgets = budgets.budgetsOf(tenant);
        for (BudgetRule rule : tenantBudgets) {
            if (!rule.matches(usage)) {
                continue;
            }
            BudgetPeriod period = periods[rule.periodKind().ordinal()];
            SpendTotals periodTotals = totals[rule.periodKind().ordinal()][rule.scope().index()];
            context.forward(new Record<>(rule.spendKey(period), snapshot(rule, period, periodTotals, emittedAt),
                    record.timestamp()), wiring.spendChild());
            alertReachedThresholds(rule, period, periodTotals, usage, now, emittedAt, record.timestamp());
        }
        emitStatus(tenant, tenantBudgets, now, record.timestamp());
    }

    private void alertReachedThresholds(BudgetRule rule, BudgetPeriod period, SpendTotals periodTotals,
            PricedUsage usage, Instant now, Instant emittedAt, long timestamp) {
        for (int threshold : rule.thresholds()) {
            if (!rule.reached(threshold, periodTotals.spendUsd())) {
                break; // thresholds ascend: none above this one is reached either
            }
            String alertId = rule.alertId(period, threshold);
            String mark = StoreKeys.alerted(period.end(), alertId);
            if (alerted.get(mark) != null) {
                continue;
            }
            alerted.put(mark, emittedAt.toEpochMilli());
            BudgetAlert alert = BudgetAlert.newBuilder()
                    .setAlertId(alertId)
                    .setTenantId(rule.tenantId())
                    .setBudgetId(rule.budgetId())
                    .setPeriod(rule.periodKind().code())
                    .setPeriodStart(period.start())
                    .setPeriodEnd(period.end())
                    .setThresholdPercent(threshold)
                    .setLimitUsd(rule.limitUsd())
                    .setSpendUsd(periodTotals.spendUsd())
                    .setEventId(usage.getEventId())
                    .setEventOccurredAt(usage.getOccurredAt())
                    .setEmittedAt(emittedAt)
                    .setLate(period.endedBy(now))
                    .setApiKeyId(rule.apiKeyIdOrNull())
                    .setModel(rule.modelOrNull())
                    .build();
            alerts.record();
            LOG.info("Budget alert {} (spend {} of limit {}{})", alertId, periodTotals.spendUsd().toPlainString(),
                    rule.limitUsd().toPlainString(), alert.getLate() ? ", late" : "");
            context.forward(new Record<>(rule.tenantId(), alert, timestamp), wiring.alertsChild());
        }
    }

    private void emitStatus(String tenant, List<BudgetRule> tenantBudgets, Instant now, long timestamp) {
        List<BudgetStatusEntry> entries = new ArrayList<>(tenantBudgets.size());
        StatusLevel worst = StatusLevel.OK;
        Instant nextRollover = null;
        for (BudgetRule rule : tenantBudgets) {
            BudgetPeriod current = rule.periodContaining(now);
            SpendTotals currentTotals = spend.get(StoreKeys.spend(tenant, current, rule.scope()));
            BigDecimal spent = (currentTotals == null ? SpendTotals.ZERO : currentTotals).spendUsd();
            StatusLevel level = rule.statusAt(spent);
            worst = worst.worst(level);
            entries.add(BudgetStatusEntry.newBuilder()
                    .setBudgetId(rule.budgetId())
                    .setPeriod(rule.periodKind().code())
                    .setPeriodStart(current.start())
                    .setLimitUsd(rule.limitUsd())
                    .setSpendUsd(spent)
                    .setStatus(level.code())
                    .build());
            nextRollover = nextRollover == null || current.end().isBefore(nextRollover) ? current.end() : nextRollover;
        }
        BudgetStatus status = BudgetStatus.newBuilder()
                .setTenantId(tenant)
                .setStatus(worst.code())
                .setUpdatedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setBudgets(entries)
                .build();
        context.forward(new Record<>(tenant, status, timestamp), wiring.statusChild());
        rememberRollover(tenant, nextRollover);
    }

    /** Remembers when the tenant's status must be recomputed even without events: when a budget period rolls over. */
    private void rememberRollover(String tenant, Instant nextRollover) {
        Long remembered = statusRefresh.get(tenant);
        if (nextRollover == null) {
            if (remembered != null) {
                statusRefresh.delete(tenant);
            }
        } else if (remembered == null || remembered != nextRollover.toEpochMilli()) {
            statusRefresh.put(tenant, nextRollover.toEpochMilli());
        }
    }

    private void refreshDueStatuses(long wallClockMillis) {
        Instant now = processingTime();
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = statusRefresh.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                if (entry.value <= now.toEpochMilli()) {
                    due.add(entry.key);
                }
            }
        }
        for (String tenant : due) {
            emitStatus(tenant, budgets.budgetsOf(tenant), now, wallClockMillis);
        }
    }

    private void purgeExpired(long wallClockMillis) {
        long streamTime = context.currentStreamTimeMs();
        if (streamTime < 0) {
            return;
        }
        String lastExpired = StoreKeys.endedBefore(Instant.ofEpochMilli(streamTime).minus(spendRetention));
        int purged = purge(spend, lastExpired) + purge(alerted, lastExpired);
        if (purged > 0) {
            LOG.debug("Purged {} spend totals and alert marks of periods that ended before {}", purged, lastExpired);
        }
    }

    private static int purge(KeyValueStore<String, ?> store, String lastExpiredKey) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, ?> range = store.range(null, lastExpiredKey)) {
            while (range.hasNext() && expired.size() < MAX_PURGED_PER_PASS) {
                expired.add(range.next().key);
            }
        }
        expired.forEach(store::delete);
        return expired.size();
    }

    private SpendSnapshot snapshot(BudgetRule rule, BudgetPeriod period, SpendTotals totals, Instant updatedAt) {
        return SpendSnapshot.newBuilder()
                .setTenantId(rule.tenantId())
                .setBudgetId(rule.budgetId())
                .setPeriod(rule.periodKind().code())
                .setPeriodStart(period.start())
                .setPeriodEnd(period.end())
                .setSpendUsd(totals.spendUsd())
                .setEventCount(totals.eventCount())
                .setInputTokens(totals.inputTokens())
                .setCachedInputTokens(totals.cachedInputTokens())
                .setCacheWriteTokens(totals.cacheWriteTokens())
                .setOutputTokens(totals.outputTokens())
                .setUpdatedAt(updatedAt)
                .build();
    }

    private Instant processingTime() {
        return Instant.ofEpochMilli(Math.max(context.currentStreamTimeMs(), context.currentSystemTimeMs()));
    }
}
