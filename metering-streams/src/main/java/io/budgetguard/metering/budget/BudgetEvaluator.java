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
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * Counts each priced event into the tenant's spend, then applies the tenant's budgets: threshold alerts (exactly once
 * per budget, period and threshold, emitted with the event that crossed), spend snapshots and the tenant's budget
 * status (coalesced, emitted every output interval).
 *
 * <p><b>Spend is aggregated independently of budgets.</b> Every event adds to exactly one total in {@link SpendByDay}:
 * its tenant, UTC day, API key and model. A budget's spend — daily, weekly or monthly, tenant-wide or narrowed to a key
 * and/or a model — is the sum of those totals over its period's days, so any budget, including one created or changed
 * mid-period, applies to the period's whole spend without back-fill. The sums a budget needs are computed once and
 * then kept up to date in memory ({@link PeriodSums}); one store update per event is all the per-event state cost.
 *
 * <p><b>Alerts.</b> After counting an event, every threshold of every matching budget that the period's spend has
 * reached and that is not yet marked in the alert store is emitted and marked, in the same exactly-once transaction as
 * the input offset: duplicates, restarts and replays cannot alert twice. A budget created when its period's spend is
 * already above a threshold alerts on the next event of that period. An alert caused by an event whose period had
 * ended before it was processed is marked {@code late}.
 *
 * <p><b>Snapshots and status</b> ({@code tenant.spend.v1}, {@code budget.status.v1}, both compacted: only the latest
 * value per key matters) are coalesced: an event marks its budgets' periods and its tenant as changed, and a wall-clock
 * punctuator emits the latest value of each marked one every output interval. A status level changes only when a
 * threshold is crossed, so an event that alerts also emits its tenant's status at once: ok → warning → exceeded is
 * never later than the alert. Marks of current periods live in memory;
 * after a restart or a rebalance every tenant the task knows gets its status and current snapshots again, which covers
 * marks lost with the process. A mark of a period that had already ended (a late event) is also kept in a store, so
 * its final snapshot is emitted even across a crash.
 *
 * <p><b>Processing time</b> (lateness, the status's current period) is the later of stream time and wall-clock time.
 */
public final class BudgetEvaluator implements Processor<String, PricedUsage, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetEvaluator.class);
    /** Bound on one purge pass, so that the stream thread never stalls; the rest goes on the next pass. */
    private static final int MAX_PURGED_PER_PASS = 10_000;
    /** Derived period sums a task keeps in memory (least recently used ones are recomputed when needed again). */
    private static final int MAX_CACHED_SUMS = 50_000;
    /** Per-day totals a task remembers having written (the busy ones), so adding to them needs no store read. */
    private static final int MAX_REMEMBERED_TOTALS = 20_000;
    private static final char SEPARATOR = '\u0000';

    /** Where the evaluator keeps its state and sends its output. */
    public record Wiring(
            String spendStore, String alertedStore, String statusRefreshStore, String pendingSnapshotsStore,
            String alertsChild, String statusChild, String spendChild) {}

    /** Timing of the evaluator's punctuators. */
    public record Intervals(Duration spendRetention, Duration maintenance, Duration statusRefresh, Duration output) {}

    /** A budget period whose snapshot must be emitted. */
    private record PendingSnapshot(String tenantId, String budgetId, PeriodKind kind, long startDay) {}

    private final BudgetIndex budgets;
    private final Wiring wiring;
    private final Intervals intervals;
    private final PeriodSums sums = new PeriodSums(MAX_CACHED_SUMS);
    private final Set<String> changedTenants = new LinkedHashSet<>();
    private final Set<PendingSnapshot> changedPeriods = new LinkedHashSet<>();
    /**
     * The period each budget was last marked changed for since the last emission, by identity: most events of a budget
     * fall in the period it was last marked for, and this skips building and hashing a {@link PendingSnapshot} for them.
     */
    private final Map<BudgetRule, BudgetPeriod> markedPeriods = new IdentityHashMap<>();
    /** Per period kind, the period containing the day last asked for (events cluster on a day), and that day. */
    private final BudgetPeriod[] lastPeriods = new BudgetPeriod[PeriodKind.values().length];
    private final long[] lastPeriodDays = new long[PeriodKind.values().length];
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, SpendTotals> spend;
    private SpendByDay.Writer spendWriter;
    private AlertMarks alertMarks;
    private KeyValueStore<String, Long> alerted;
    private KeyValueStore<String, Long> statusRefresh;
    private KeyValueStore<String, Long> pendingSnapshots;
    private Sensor alerts;

    public BudgetEvaluator(BudgetIndex budgets, Wiring wiring, Intervals intervals) {
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.wiring = Objects.requireNonNull(wiring, "wiring");
        this.intervals = Objects.requireNonNull(intervals, "intervals");
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.spend = context.getStateStore(wiring.spendStore());
        this.spendWriter = new SpendByDay.Writer(spend, MAX_REMEMBERED_TOTALS);
        this.alerted = context.getStateStore(wiring.alertedStore());
        this.alertMarks = new AlertMarks(alerted, MAX_CACHED_SUMS);
        this.statusRefresh = context.getStateStore(wiring.statusRefreshStore());
        this.pendingSnapshots = context.getStateStore(wiring.pendingSnapshotsStore());
        this.alerts = MeteringMetrics.counter(context.metrics(), MeteringMetrics.ALERTS);
        sums.clear();
        changedTenants.clear();
        changedPeriods.clear();
        markedPeriods.clear();
        // What was marked in memory before a restart or a rebalance is gone: refresh everything this task knows.
        Instant now = processingTime();
        try (KeyValueIterator<String, Long> tenants = statusRefresh.all()) {
            while (tenants.hasNext()) {
                String tenant = tenants.next().key;
                changedTenants.add(tenant);
                for (BudgetRule rule : budgets.budgetsOf(tenant)) {
                    markChanged(rule, rule.periodContaining(now));
                }
            }
        }
        context.schedule(intervals.maintenance(), PunctuationType.WALL_CLOCK_TIME, this::purgeExpired);
        context.schedule(intervals.statusRefresh(), PunctuationType.WALL_CLOCK_TIME, this::refreshDueStatuses);
        context.schedule(intervals.output(), PunctuationType.WALL_CLOCK_TIME, this::emitChanged);
    }

    @Override
    public void process(Record<String, PricedUsage> record) {
        PricedUsage usage = record.value();
        String tenant = usage.getTenantId();
        long day = UtcDays.of(usage.getOccurredAt());
        spendWriter.add(day, usage);
        sums.add(usage, day);

        Instant now = processingTime();
        Instant emittedAt = Instant.ofEpochMilli(context.currentSystemTimeMs());
        List<BudgetRule> tenantBudgets = budgets.budgetsOf(tenant);
        boolean crossed = false;
        for (BudgetRule rule : tenantBudgets) {
            if (!rule.matches(usage)) {
                continue;
            }
            BudgetPeriod period = periodOfDay(rule.periodKind(), day);
            SpendTotals periodTotals = sumOf(rule, period);
            crossed |= alertReachedThresholds(rule, period, periodTotals, usage, now, emittedAt, record.timestamp());
            markChanged(rule, period);
            if (period.endedBy(now)) {
                // a late event: its period's final snapshot must survive a crash, current ones are refreshed on restart
                pendingSnapshots.put(pendingKey(rule, period), period.end().toEpochMilli());
            }
        }
        // the rules' tenant id is one long-lived string whose hash is cached; the event's is decoded afresh
        String tenantKey = tenantBudgets.isEmpty() ? tenant : tenantBudgets.get(0).tenantId();
        if (crossed) {
            // a status level changes only when a threshold is crossed: such a status goes out with the alert
            emitStatus(tenantKey, tenantBudgets, now, record.timestamp());
            changedTenants.remove(tenantKey);
        } else {
            changedTenants.add(tenantKey);
        }
    }

    @Override
    public void close() {
        if (spendWriter != null) {
            spendWriter.forget();
            alertMarks.clear();
        }
        sums.clear();
        changedTenants.clear();
        changedPeriods.clear();
        markedPeriods.clear();
    }

    private SpendTotals sumOf(BudgetRule rule, BudgetPeriod period) {
        return sums.get(rule.tenantId(), period, rule.scope(),
                () -> SpendByDay.sum(spend, rule.tenantId(), period, rule.scope()));
    }

    private BudgetPeriod periodOfDay(PeriodKind kind, long day) {
        int index = kind.ordinal();
        BudgetPeriod period = lastPeriods[index];
        if (period == null || lastPeriodDays[index] != day) {
            period = kind.periodOfDay(day);
            lastPeriods[index] = period;
            lastPeriodDays[index] = day;
        }
        return period;
    }

    private void markChanged(BudgetRule rule, BudgetPeriod period) {
        if (markedPeriods.put(rule, period) == period) {
            return; // already marked since the last emission
        }
        changedPeriods.add(new PendingSnapshot(rule.tenantId(), rule.budgetId(), period.kind(),
                UtcDays.of(period.start())));
    }

    /** Emits the alerts of the thresholds reached and not yet alerted; true when it emitted any. */
    private boolean alertReachedThresholds(BudgetRule rule, BudgetPeriod period, SpendTotals periodTotals,
            PricedUsage usage, Instant now, Instant emittedAt, long timestamp) {
        boolean emitted = false;
        for (int threshold : rule.thresholds()) {
            if (!rule.reached(threshold, periodTotals.spendUsd())) {
                break; // thresholds ascend: none above this one is reached either
            }
            if (alertMarks.isMarked(rule, period, threshold)) {
                continue;
            }
            alertMarks.mark(rule, period, threshold, emittedAt);
            String alertId = rule.alertId(period, threshold);
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
            emitted = true;
        }
        return emitted;
    }

    /** Emits the latest snapshot of every changed budget period and the status of every changed tenant. */
    private void emitChanged(long wallClockMillis) {
        if (changedPeriods.isEmpty() && changedTenants.isEmpty() && pendingSnapshots.approximateNumEntries() == 0) {
            return;
        }
        Instant now = processingTime();
        Instant updatedAt = Instant.ofEpochMilli(wallClockMillis);
        List<String> persisted = new ArrayList<>();
        try (KeyValueIterator<String, Long> marks = pendingSnapshots.all()) {
            while (marks.hasNext()) {
                String mark = marks.next().key;
                persisted.add(mark);
                PendingSnapshot pending = fromPendingKey(mark);
                if (pending != null) {
                    changedPeriods.add(pending);
                }
            }
        }
        for (PendingSnapshot pending : changedPeriods) {
            emitSnapshot(pending, updatedAt, wallClockMillis);
        }
        changedPeriods.clear();
        markedPeriods.clear();
        persisted.forEach(pendingSnapshots::delete);
        for (String tenant : changedTenants) {
            emitStatus(tenant, budgets.budgetsOf(tenant), now, wallClockMillis);
        }
        changedTenants.clear();
    }

    private void emitSnapshot(PendingSnapshot pending, Instant updatedAt, long timestamp) {
        BudgetRule rule = null;
        for (BudgetRule candidate : budgets.budgetsOf(pending.tenantId())) {
            if (candidate.budgetId().equals(pending.budgetId()) && candidate.periodKind() == pending.kind()) {
                rule = candidate;
            }
        }
        if (rule == null) {
            return; // deleted, or its period kind changed: that period is no budget's any more
        }
        BudgetPeriod period = pending.kind().periodOfDay(pending.startDay());
        SpendTotals totals = sumOf(rule, period);
        context.forward(new Record<>(rule.spendKey(period), snapshot(rule, period, totals, updatedAt), timestamp),
                wiring.spendChild());
    }

    private void emitStatus(String tenant, List<BudgetRule> tenantBudgets, Instant now, long timestamp) {
        List<BudgetStatusEntry> entries = new ArrayList<>(tenantBudgets.size());
        StatusLevel worst = StatusLevel.OK;
        Instant nextRollover = null;
        for (BudgetRule rule : tenantBudgets) {
            BudgetPeriod current = rule.periodContaining(now);
            BigDecimal spent = sumOf(rule, current).spendUsd();
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
        String lastExpired = StoreKeys.endedBefore(Instant.ofEpochMilli(streamTime).minus(intervals.spendRetention()));
        int purged = purge(spend, lastExpired) + purge(alerted, lastExpired);
        if (purged > 0) {
            sums.clear(); // nothing remembered may outlive the totals it was made of
            spendWriter.forget();
            alertMarks.clear();
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

    private static String pendingKey(BudgetRule rule, BudgetPeriod period) {
        return rule.tenantId() + SEPARATOR + rule.budgetId() + SEPARATOR + period.kind().code() + SEPARATOR
                + UtcDays.of(period.start());
    }

    private static PendingSnapshot fromPendingKey(String key) {
        String[] parts = key.split(String.valueOf(SEPARATOR), -1);
        if (parts.length != 4) {
            return null;
        }
        return PeriodKind.fromCode(parts[2])
                .map(kind -> new PendingSnapshot(parts[0], parts[1], kind, Long.parseLong(parts[3])))
                .orElse(null);
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
