package io.budgetguard.cli.chaos;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The chaos run's judgement, computed from what was sent (the journal), what the ledger holds, what metering-streams
 * reports as spend and which alerts were published. Pure: the check command gathers the inputs.
 *
 * <ul>
 *   <li>nothing lost: every event acknowledged with 202 is in the ledger;</li>
 *   <li>nothing twice: no (tenant, event_id) in the ledger more than once, nothing there that was never sent;</li>
 *   <li>every ledger cost equals the event priced independently ({@link Prices});</li>
 *   <li>for every budget and period: streamed spend and event count = the ledger's sum and count over the events
 *       the budget covers = the independent sum;</li>
 *   <li>alerts: exactly one per (budget, period, threshold) reached by the independent sum of the counted events
 *       (those acknowledged, plus any the ledger has although their 202 was lost).</li>
 * </ul>
 */
public record ChaosVerdict(long seed, Map<String, Long> stats, long distinctSent, long acked, long ledgerRows,
        long lost, long duplicated, long unackedInLedger, long phantom, long priceMismatches, int periodsChecked,
        int spendMismatches, int alertsExpected, int alertsSeen, int alertsMissing, int alertsUnexpected,
        int alertsDuplicated, List<String> problems) {

    /** A ledger row as the checker reads it. */
    public record LedgerRow(String tenant, String eventId, BigDecimal costUsd, Instant occurredAt, String model) {}

    /** One budget's period. */
    public record PeriodKey(String tenant, String budgetId, LocalDate periodStart) {
        @Override
        public String toString() {
            return tenant + "/" + budgetId + "/" + periodStart;
        }
    }

    /** What {@code GET /v1/spend} answered for a period; null spend = no answer. */
    public record StreamedSpend(BigDecimal spendUsd, long eventCount, String error) {}

    /** An alert read from {@code budget.alerts.v1}. */
    public record SeenAlert(PeriodKey period, int threshold) {}

    private static final int MAX_PROBLEMS = 20;

    public boolean passed() {
        return lost == 0 && duplicated == 0 && phantom == 0 && priceMismatches == 0 && spendMismatches == 0
                && alertsMissing == 0 && alertsUnexpected == 0 && alertsDuplicated == 0 && acked > 0;
    }

    /** Every (budget, period) that any sent event falls in: what to ask metering-streams about. */
    public static Set<PeriodKey> periodsToQuery(ChaosJournal journal) {
        Set<PeriodKey> keys = new LinkedHashSet<>();
        for (ChaosJournal.Sent sent : journal.events()) {
            for (BudgetDef b : journal.budgets()) {
                if (b.covers(sent.event().tenant(), sent.event().model())) {
                    keys.add(new PeriodKey(b.tenant(), b.budgetId(), b.periodStart(sent.event().occurredAt())));
                }
            }
        }
        return keys;
    }

    public static ChaosVerdict judge(long seed, ChaosJournal journal, Prices prices, List<LedgerRow> ledger,
            Map<PeriodKey, StreamedSpend> streamed, List<SeenAlert> alerts) {
        List<String> problems = new ArrayList<>();
        Map<String, ChaosJournal.Sent> sent = new HashMap<>();
        for (ChaosJournal.Sent s : journal.events()) {
            sent.put(s.event().key(), s);
        }
        Set<String> tenants = journal.apiKeys().keySet();

        Map<String, LedgerRow> inLedger = new HashMap<>();
        long duplicated = 0;
        long phantom = 0;
        long priceMismatches = 0;
        long rows = 0;
        for (LedgerRow row : ledger) {
            if (!tenants.contains(row.tenant())) {
                continue;
            }
            rows++;
            String key = row.tenant() + "/" + row.eventId();
            if (inLedger.putIfAbsent(key, row) != null) {
                duplicated++;
                note(problems, "duplicated in the ledger: " + key);
                continue;
            }
            ChaosJournal.Sent s = sent.get(key);
            if (s == null) {
                phantom++;
                note(problems, "in the ledger but never sent: " + key);
                continue;
            }
            BigDecimal expected = prices.cost(s.event());
            if (row.costUsd().compareTo(expected) != 0 || !row.occurredAt().equals(s.event().occurredAt())
                    || !row.model().equals(s.event().model())) {
                priceMismatches++;
                note(problems, "ledger row differs from the event sent: " + key + " cost " + row.costUsd().toPlainString()
                        + " (independent price " + expected.toPlainString() + "), occurred_at " + row.occurredAt()
                        + " (sent " + s.event().occurredAt() + "), model " + row.model());
            }
        }

        long acked = 0;
        long lost = 0;
        long unackedInLedger = 0;
        List<ChaosEvent> counted = new ArrayList<>();
        for (ChaosJournal.Sent s : journal.events()) {
            boolean recorded = inLedger.containsKey(s.event().key());
            if (s.acked()) {
                acked++;
                if (!recorded) {
                    lost++;
                    note(problems, "acknowledged with 202 but not in the ledger: " + s.event().key());
                }
            } else if (recorded) {
                unackedInLedger++;
            }
            if (s.acked() || recorded) {
                counted.add(s.event());
            }
        }

        // Independent sums per budget period over the counted events; the ledger's own sums and counts.
        Map<PeriodKey, BigDecimal> expectedSpend = new TreeMap<>(java.util.Comparator.comparing(PeriodKey::toString));
        for (ChaosEvent e : counted) {
            for (BudgetDef b : journal.budgets()) {
                if (b.covers(e.tenant(), e.model())) {
                    expectedSpend.merge(new PeriodKey(b.tenant(), b.budgetId(), b.periodStart(e.occurredAt())),
                            prices.cost(e), BigDecimal::add);
                }
            }
        }
        Map<PeriodKey, BigDecimal> ledgerSpend = new HashMap<>();
        Map<PeriodKey, Long> ledgerCount = new HashMap<>();
        for (LedgerRow row : inLedger.values()) {
            for (BudgetDef b : journal.budgets()) {
                if (b.covers(row.tenant(), row.model())) {
                    PeriodKey key = new PeriodKey(b.tenant(), b.budgetId(), b.periodStart(row.occurredAt()));
                    ledgerSpend.merge(key, row.costUsd(), BigDecimal::add);
                    ledgerCount.merge(key, 1L, Long::sum);
                }
            }
        }
        int spendMismatches = 0;
        Set<PeriodKey> periods = new LinkedHashSet<>(expectedSpend.keySet());
        periods.addAll(ledgerSpend.keySet());
        for (PeriodKey key : periods) {
            BigDecimal expected = expectedSpend.getOrDefault(key, BigDecimal.ZERO);
            BigDecimal fromLedger = ledgerSpend.getOrDefault(key, BigDecimal.ZERO);
            long count = ledgerCount.getOrDefault(key, 0L);
            StreamedSpend fromStreams = streamed.get(key);
            String why = null;
            if (fromStreams == null || fromStreams.spendUsd() == null) {
                why = "no streamed spend" + (fromStreams == null ? "" : " (" + fromStreams.error() + ")");
            } else if (fromStreams.spendUsd().compareTo(fromLedger) != 0 || fromStreams.eventCount() != count) {
                why = "streamed " + fromStreams.spendUsd().toPlainString() + " USD / " + fromStreams.eventCount()
                        + " events, ledger " + fromLedger.toPlainString() + " USD / " + count + " events";
            } else if (expected.compareTo(fromLedger) != 0) {
                why = "ledger " + fromLedger.toPlainString() + " USD, independent sum " + expected.toPlainString() + " USD";
            }
            if (why != null) {
                spendMismatches++;
                note(problems, "spend of " + key + ": " + why);
            }
        }

        Set<SeenAlert> expectedAlerts = new HashSet<>();
        Map<String, BudgetDef> budgetsById = new HashMap<>();
        journal.budgets().forEach(b -> budgetsById.put(b.tenant() + "/" + b.budgetId(), b));
        expectedSpend.forEach((key, spend) -> {
            BudgetDef b = budgetsById.get(key.tenant() + "/" + key.budgetId());
            for (int threshold : b.thresholds()) {
                if (b.reached(threshold, spend)) {
                    expectedAlerts.add(new SeenAlert(key, threshold));
                }
            }
        });
        Map<SeenAlert, Integer> seen = new HashMap<>();
        int alertsSeen = 0;
        for (SeenAlert alert : alerts) {
            if (tenants.contains(alert.period().tenant())) {
                seen.merge(alert, 1, Integer::sum);
                alertsSeen++;
            }
        }
        int missing = 0;
        for (SeenAlert alert : expectedAlerts) {
            if (!seen.containsKey(alert)) {
                missing++;
                note(problems, "alert missing: " + alert.period() + " at " + alert.threshold() + " %");
            }
        }
        int unexpected = 0;
        int alertDuplicates = 0;
        for (Map.Entry<SeenAlert, Integer> entry : seen.entrySet()) {
            if (!expectedAlerts.contains(entry.getKey())) {
                unexpected++;
                note(problems, "alert not expected: " + entry.getKey().period() + " at " + entry.getKey().threshold() + " %");
            }
            if (entry.getValue() > 1) {
                alertDuplicates += entry.getValue() - 1;
                note(problems, "alert published " + entry.getValue() + " times: " + entry.getKey().period() + " at "
                        + entry.getKey().threshold() + " %");
            }
        }
        return new ChaosVerdict(seed, journal.stats(), journal.events().size(), acked, rows, lost, duplicated,
                unackedInLedger, phantom, priceMismatches, periods.size(), spendMismatches, expectedAlerts.size(),
                alertsSeen, missing, unexpected, alertDuplicates, List.copyOf(problems));
    }

    private static void note(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }

    /** The summary table (issue 6): sent, acknowledged, retried, in ledger, lost, duplicated, alerts. */
    public String table() {
        long sends = stats.getOrDefault("sends", 0L);
        long dupSends = stats.getOrDefault("duplicate_sends", 0L);
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "chaos summary (seed %d)%n", seed));
        row(t, "events sent (duplicates included)", String.valueOf(sends));
        row(t, "distinct events sent", String.valueOf(distinctSent));
        row(t, "duplicate sends (same event_id again)", String.format(Locale.ROOT, "%d (%.1f %% of sends)", dupSends,
                sends == 0 ? 0.0 : 100.0 * dupSends / sends));
        row(t, "acknowledged with 202 (distinct)", String.valueOf(acked));
        row(t, "requests / retried", stats.getOrDefault("requests", 0L) + " / " + stats.getOrDefault("retried_requests", 0L));
        row(t, "answers 503 / 429 / no answer", stats.getOrDefault("status_503", 0L) + " / "
                + stats.getOrDefault("status_429", 0L) + " / " + stats.getOrDefault("status_0", 0L));
        row(t, "sends failed after retries / rejected", stats.getOrDefault("failed_sends", 0L) + " / "
                + stats.getOrDefault("rejected_sends", 0L));
        row(t, "in ledger", String.valueOf(ledgerRows));
        row(t, "LOST (acknowledged, not in ledger)", String.valueOf(lost));
        row(t, "DUPLICATED (twice in ledger)", String.valueOf(duplicated));
        row(t, "in ledger, 202 never received", String.valueOf(unackedInLedger));
        row(t, "in ledger, never sent", String.valueOf(phantom));
        row(t, "ledger rows priced wrong", String.valueOf(priceMismatches));
        row(t, "budget periods checked / spend mismatches", periodsChecked + " / " + spendMismatches);
        row(t, "alerts expected / seen", alertsExpected + " / " + alertsSeen);
        row(t, "alerts missing / unexpected / duplicated", alertsMissing + " / " + alertsUnexpected + " / " + alertsDuplicated);
        row(t, "result", passed() ? "PASS" : "FAIL");
        problems.forEach(p -> t.append("  ! ").append(p).append(System.lineSeparator()));
        return t.toString();
    }

    private static void row(StringBuilder t, String label, String value) {
        t.append(String.format(Locale.ROOT, "  %-44s %s%n", label, value));
    }
}
