package io.budgetguard.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.cli.dev.DevStack;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosPlanTest {

    private final Prices prices = Prices.fromCatalog(DevStack.defaultCatalog());

    @Test
    void theSeedAloneDeterminesThePlan() {
        ChaosPlan a = ChaosPlan.generate(42, 2000, 4, prices);
        ChaosPlan b = ChaosPlan.generate(42, 2000, 4, prices);
        assertThat(a.events()).isEqualTo(b.events());
        assertThat(a.budgets()).isEqualTo(b.budgets());
        assertThat(ChaosPlan.generate(43, 2000, 4, prices).events()).isNotEqualTo(a.events());
    }

    @Test
    void eventsSpreadOverTenantsModelsAndTwoDaysWithUniqueIds() {
        ChaosPlan plan = ChaosPlan.generate(1, 5000, 4, prices);
        assertThat(plan.events().stream().map(ChaosPlan.Planned::eventId).distinct()).hasSize(5000);
        Map<String, Long> perTenant = plan.events().stream().collect(Collectors.groupingBy(ChaosPlan.Planned::tenant, Collectors.counting()));
        assertThat(perTenant).hasSize(4);
        assertThat(plan.events()).anyMatch(e -> e.daysAgo() == 1).anyMatch(e -> !prices.isPriced(e.provider(), e.model()))
                .anyMatch(e -> e.cacheWrite() > 0).anyMatch(e -> e.cachedInput() > 0);
        assertThat(plan.budgets()).hasSize(8).allMatch(b -> b.limitUsd().signum() > 0);
    }

    @Test
    void someThresholdsAreCrossedAndSomeAreNot() {
        ChaosPlan plan = ChaosPlan.generate(5, 4000, 4, prices);
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        ChaosJournal journal = new ChaosJournal(plan.tenants().stream().collect(Collectors.toMap(t -> t, t -> "k")),
                plan.budgets(), plan.events().stream().map(p -> new ChaosJournal.Sent(p.at(now), true)).toList(), Map.of());
        ChaosVerdict verdict = ChaosVerdict.judge(5, journal, prices, java.util.List.of(), Map.of(), java.util.List.of());
        // 4 monthly budgets × 3 thresholds + 4 daily × 4 (two days) = 44 possible crossings
        assertThat(verdict.alertsExpected()).isBetween(8, 36);
    }

    @Test
    void theJournalRoundTrips(@TempDir Path dir) throws Exception {
        ChaosPlan plan = ChaosPlan.generate(9, 300, 2, prices);
        Instant now = Instant.parse("2026-11-23T12:00:00.123Z");
        ChaosJournal journal = new ChaosJournal(Map.of("t1", "bg_a.b", "t2", "bg_c.d"), plan.budgets(),
                plan.events().stream().map(p -> new ChaosJournal.Sent(p.at(now), p.index() % 3 != 0)).toList(),
                Map.of("sends", 330L, "seed", 9L));
        journal.write(dir);
        ChaosJournal read = ChaosJournal.read(dir);
        assertThat(read.events()).isEqualTo(journal.events());
        assertThat(read.budgets()).isEqualTo(journal.budgets());
        assertThat(read.apiKeys()).isEqualTo(journal.apiKeys());
        assertThat(read.stats()).isEqualTo(journal.stats());
    }
}
