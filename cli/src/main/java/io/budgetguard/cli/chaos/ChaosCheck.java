package io.budgetguard.cli.chaos;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Waits until the pipeline has drained — the ledger holds at least every acknowledged event and the verdict passes —
 * or the time is up, then returns the last verdict. Each round reads the ledger, the streamed spend and the alerts
 * afresh; the reads are not one snapshot (streams may count an event a moment before the sink commits it), so a
 * failing round is retried until the deadline and only the last one is reported.
 */
final class ChaosCheck {

    private final ChaosJournal journal;
    private final Prices prices;
    private final ChaosSources sources;
    private final PrintWriter out;

    ChaosCheck(ChaosJournal journal, Prices prices, ChaosSources sources, PrintWriter out) {
        this.journal = journal;
        this.prices = prices;
        this.sources = sources;
        this.out = out;
    }

    ChaosVerdict awaitVerdict(Duration timeout) throws Exception {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        long acked = journal.events().stream().filter(ChaosJournal.Sent::acked).count();
        Set<String> tenants = journal.apiKeys().keySet();
        long lastPrinted = started - 10_000_000_000L;
        // Cheap first: wait until the ledger has every acknowledged event (or stops growing at the deadline).
        while (System.nanoTime() < deadline) {
            long count = sources.ledgerCount(tenants);
            long now = System.nanoTime();
            if (count >= acked || now - lastPrinted > 5_000_000_000L) {
                lastPrinted = now;
                out.printf(Locale.ROOT, "[check] %4ds ledger has %d of %d acknowledged events%n",
                        (System.nanoTime() - started) / 1_000_000_000L, count, acked);
                out.flush();
            }
            if (count >= acked) {
                break;
            }
            Thread.sleep(1000);
        }
        Set<ChaosVerdict.PeriodKey> periods = ChaosVerdict.periodsToQuery(journal);
        while (true) {
            ChaosVerdict verdict = ChaosVerdict.judge(journal.stat("seed"), journal, prices, sources.ledger(tenants),
                    sources.spend(periods, journal.apiKeys()), sources.alerts());
            out.printf(Locale.ROOT, "[check] %4ds ledger=%d lost=%d duplicated=%d spend mismatches=%d alerts %d/%d -> %s%n",
                    (System.nanoTime() - started) / 1_000_000_000L, verdict.ledgerRows(), verdict.lost(),
                    verdict.duplicated(), verdict.spendMismatches(), verdict.alertsSeen(), verdict.alertsExpected(),
                    verdict.passed() ? "pass" : "not yet");
            out.flush();
            if (verdict.passed()) {
                return verdict;
            }
            if (System.nanoTime() > deadline) {
                out.printf(Locale.ROOT, "[check] the verdict still fails after %d s: the table below is the last reading "
                        + "(a ledger still growing means the pipeline had not drained; compare with a rerun)%n",
                        timeout.toSeconds());
                return verdict;
            }
            Thread.sleep(2000);
        }
    }
}
