package io.budgetguard.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.cli.chaos.ChaosVerdict.LedgerRow;
import io.budgetguard.cli.chaos.ChaosVerdict.PeriodKey;
import io.budgetguard.cli.chaos.ChaosVerdict.SeenAlert;
import io.budgetguard.cli.chaos.ChaosVerdict.StreamedSpend;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The checker must fail on every kind of loss, duplicate or mismatch, and pass a consistent run. */
class ChaosVerdictTest {

    private static final Instant NOV_23 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant NOV_22 = Instant.parse("2026-11-22T10:00:00Z");
    private final Prices prices = Prices.fromCatalog("""
            {"prices":[{"provider":"openai","model":"gpt-4o","input_per_mtok":"2.50","cached_input_per_mtok":"1.25",
              "cache_write_per_mtok":"0","output_per_mtok":"10.00"}]}""");

    private List<ChaosJournal.Sent> sent;
    private List<BudgetDef> budgets;

    @BeforeEach
    void setUp() {
        sent = new ArrayList<>();
        // 1000 input + 100 output tokens of gpt-4o: 0.0025 + 0.001 = 0.0035 USD; ten today, two yesterday
        for (int i = 0; i < 12; i++) {
            sent.add(new ChaosJournal.Sent(event("e" + i, i < 10 ? NOV_23 : NOV_22, "gpt-4o"), true));
        }
        sent.add(new ChaosJournal.Sent(event("free", NOV_23, "llama"), true)); // unpriced: 0
        // monthly 0.05: 12 × 0.0035 = 0.042 → 50 and 80 % reached, 100 % not; daily 0.01: today 0.035 → all
        budgets = List.of(new BudgetDef("t1", "monthly", "monthly", new BigDecimal("0.05"), List.of(50, 80, 100), null),
                new BudgetDef("t1", "daily", "daily", new BigDecimal("0.01"), List.of(50, 100), "gpt-4o"));
    }

    private static ChaosEvent event(String id, Instant at, String model) {
        return new ChaosEvent("t1", id, at, model.equals("gpt-4o") ? "openai" : "selfhosted", model, 1000, 0, 0, 100, 0);
    }

    private ChaosJournal journal() {
        return new ChaosJournal(Map.of("t1", "bg_key"), budgets, sent, Map.of("sends", 14L, "duplicate_sends", 1L));
    }

    private List<LedgerRow> ledgerOf(List<ChaosJournal.Sent> events) {
        List<LedgerRow> rows = new ArrayList<>();
        for (ChaosJournal.Sent s : events) {
            rows.add(new LedgerRow("t1", s.event().eventId(), prices.cost(s.event()), s.event().occurredAt(), s.event().model()));
        }
        return rows;
    }

    private static Map<PeriodKey, StreamedSpend> consistentSpend() {
        Map<PeriodKey, StreamedSpend> spend = new HashMap<>();
        spend.put(new PeriodKey("t1", "monthly", LocalDate.parse("2026-11-01")), new StreamedSpend(new BigDecimal("0.042"), 13, null));
        spend.put(new PeriodKey("t1", "daily", LocalDate.parse("2026-11-23")), new StreamedSpend(new BigDecimal("0.035"), 10, null));
        spend.put(new PeriodKey("t1", "daily", LocalDate.parse("2026-11-22")), new StreamedSpend(new BigDecimal("0.007"), 2, null));
        return spend;
    }

    private static List<SeenAlert> expectedAlerts() {
        PeriodKey monthly = new PeriodKey("t1", "monthly", LocalDate.parse("2026-11-01"));
        PeriodKey today = new PeriodKey("t1", "daily", LocalDate.parse("2026-11-23"));
        PeriodKey yesterday = new PeriodKey("t1", "daily", LocalDate.parse("2026-11-22"));
        // yesterday 0.007 of 0.01: 50 % only
        return new ArrayList<>(List.of(new SeenAlert(monthly, 50), new SeenAlert(monthly, 80), new SeenAlert(today, 50),
                new SeenAlert(today, 100), new SeenAlert(yesterday, 50)));
    }

    @Test
    void aConsistentRunPasses() {
        ChaosVerdict verdict = ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), consistentSpend(), expectedAlerts());
        assertThat(verdict.problems()).isEmpty();
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.alertsExpected()).isEqualTo(5);
        assertThat(verdict.periodsChecked()).isEqualTo(3);
        assertThat(verdict.table()).contains("result", "PASS", "alerts expected / seen").contains("5 / 5");
    }

    @Test
    void anAcknowledgedEventMissingFromTheLedgerIsLost() {
        List<LedgerRow> ledger = ledgerOf(sent.subList(1, sent.size()));
        ChaosVerdict verdict = ChaosVerdict.judge(7, journal(), prices, ledger, consistentSpend(), expectedAlerts());
        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.table()).contains("FAIL").contains("acknowledged with 202 but not in the ledger: t1/e0");
    }

    @Test
    void anEventTwiceInTheLedgerIsADuplicate() {
        List<LedgerRow> ledger = ledgerOf(sent);
        ledger.add(ledger.get(3));
        ChaosVerdict verdict = ChaosVerdict.judge(7, journal(), prices, ledger, consistentSpend(), expectedAlerts());
        assertThat(verdict.duplicated()).isEqualTo(1);
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void anUnacknowledgedEventInTheLedgerIsCountedNotLost() {
        sent.set(0, new ChaosJournal.Sent(sent.get(0).event(), false));
        ChaosVerdict verdict = ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), consistentSpend(), expectedAlerts());
        assertThat(verdict.unackedInLedger()).isEqualTo(1);
        assertThat(verdict.passed()).isTrue();
    }

    @Test
    void aLedgerRowNeverSentFails() {
        List<LedgerRow> ledger = ledgerOf(sent);
        ledger.add(new LedgerRow("t1", "ghost", BigDecimal.ZERO, NOV_23, "gpt-4o"));
        assertThat(ChaosVerdict.judge(7, journal(), prices, ledger, consistentSpend(), expectedAlerts()).phantom()).isEqualTo(1);
    }

    @Test
    void aMispricedRowFails() {
        List<LedgerRow> ledger = ledgerOf(sent);
        LedgerRow row = ledger.get(0);
        ledger.set(0, new LedgerRow("t1", row.eventId(), row.costUsd().add(new BigDecimal("0.000000001")), row.occurredAt(), row.model()));
        ChaosVerdict verdict = ChaosVerdict.judge(7, journal(), prices, ledger, consistentSpend(), expectedAlerts());
        assertThat(verdict.priceMismatches()).isEqualTo(1);
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void streamedSpendOffByOneNanoDollarOrOneEventOrMissingFails() {
        Map<PeriodKey, StreamedSpend> spend = consistentSpend();
        spend.put(new PeriodKey("t1", "monthly", LocalDate.parse("2026-11-01")), new StreamedSpend(new BigDecimal("0.042000001"), 13, null));
        assertThat(ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), spend, expectedAlerts()).spendMismatches()).isEqualTo(1);

        spend = consistentSpend();
        spend.put(new PeriodKey("t1", "daily", LocalDate.parse("2026-11-23")), new StreamedSpend(new BigDecimal("0.035"), 11, null));
        assertThat(ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), spend, expectedAlerts()).spendMismatches()).isEqualTo(1);

        spend = consistentSpend();
        spend.put(new PeriodKey("t1", "daily", LocalDate.parse("2026-11-22")), new StreamedSpend(null, 0, "HTTP 503"));
        ChaosVerdict verdict = ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), spend, expectedAlerts());
        assertThat(verdict.spendMismatches()).isEqualTo(1);
        assertThat(verdict.problems()).anyMatch(p -> p.contains("HTTP 503"));
    }

    @Test
    void alertsMustBeExactlyOnePerCrossing() {
        List<SeenAlert> twice = expectedAlerts();
        twice.add(twice.get(0));
        assertThat(ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), consistentSpend(), twice).alertsDuplicated()).isEqualTo(1);

        List<SeenAlert> missing = expectedAlerts();
        missing.remove(4);
        assertThat(ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), consistentSpend(), missing).alertsMissing()).isEqualTo(1);

        List<SeenAlert> extra = expectedAlerts();
        extra.add(new SeenAlert(new PeriodKey("t1", "monthly", LocalDate.parse("2026-11-01")), 100));
        ChaosVerdict verdict = ChaosVerdict.judge(7, journal(), prices, ledgerOf(sent), consistentSpend(), extra);
        assertThat(verdict.alertsUnexpected()).isEqualTo(1);
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void otherTenantsRowsAndAlertsAreIgnored() {
        List<LedgerRow> ledger = ledgerOf(sent);
        ledger.add(new LedgerRow("demo", "x", BigDecimal.ONE, NOV_23, "gpt-4o"));
        List<SeenAlert> alerts = expectedAlerts();
        alerts.add(new SeenAlert(new PeriodKey("demo", "monthly", LocalDate.parse("2026-11-01")), 50));
        assertThat(ChaosVerdict.judge(7, journal(), prices, ledger, consistentSpend(), alerts).passed()).isTrue();
    }

    @Test
    void pricesFollowTheContractRule() {
        ChaosEvent e = new ChaosEvent("t", "e", NOV_23, "openai", "gpt-4o", 1, 3, 0, 7, 0);
        // 1 × 2.5e-6 = 0.0000025 → 0.000002500; 3 × 1.25e-6 = 0.00000375 → 0.000003750; 7 × 1e-5 = 0.00007
        assertThat(prices.cost(e)).isEqualByComparingTo("0.00007625");
        ChaosEvent half = new ChaosEvent("t", "e", NOV_23, "openai", "gpt-4o", 0, 1, 0, 0, 0);
        Prices odd = Prices.fromCatalog("""
                {"prices":[{"provider":"openai","model":"gpt-4o","input_per_mtok":"0","cached_input_per_mtok":"0.0025",
                  "cache_write_per_mtok":"0","output_per_mtok":"0"}]}""");
        // 0.0025e-6 = 0.0000000025 → half-even at 1e-9 → 0.000000002
        assertThat(odd.cost(half)).isEqualByComparingTo("0.000000002");
        assertThat(prices.cost(new ChaosEvent("t", "e", NOV_23, "x", "unknown", 1000, 0, 0, 0, 0))).isZero();
    }
}
