package io.budgetguard.ledger.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointPolicyTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private final CheckpointPolicy policy = new CheckpointPolicy(1000, Duration.ofSeconds(10));

    private static List<ChainHead> entries(long from, long to) {
        List<ChainHead> heads = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            byte[] hash = new byte[32];
            hash[0] = (byte) seq;
            heads.add(new ChainHead(seq, ChainHash.of(hash)));
        }
        return heads;
    }

    @Test
    void shouldSignEveryThousandthEntryOfALongBatch() {
        CheckpointPolicy.Plan plan = policy.plan(new ChainProgress(0, 0, null), entries(1, 2500), NOW);

        assertThat(plan.toSign()).extracting(ChainHead::seq).containsExactly(1000L, 2000L);
        assertThat(plan.after()).isEqualTo(new ChainProgress(2500, 2000, NOW));
    }

    @Test
    void shouldCountTheEntryLimitFromTheLastCheckpoint() {
        CheckpointPolicy.Plan plan = policy.plan(new ChainProgress(1500, 1200, NOW), entries(1501, 2300), NOW);

        assertThat(plan.toSign()).extracting(ChainHead::seq).containsExactly(2200L);
    }

    @Test
    void shouldNotSignAFreshTailBeforeItsTenSecondsAreUp() {
        CheckpointPolicy.Plan plan = policy.plan(new ChainProgress(5, 5, null), entries(6, 8), NOW);

        assertThat(plan.toSign()).isEmpty();
        assertThat(plan.after()).isEqualTo(new ChainProgress(8, 5, NOW));
    }

    @Test
    void shouldSignTheHeadWhenTheOldestUnsignedEntryIsTenSecondsOld() {
        ChainProgress before = new ChainProgress(8, 5, NOW.minusSeconds(10));

        CheckpointPolicy.Plan plan = policy.plan(before, entries(9, 9), NOW);

        assertThat(plan.toSign()).extracting(ChainHead::seq).containsExactly(9L);
        assertThat(plan.after()).isEqualTo(new ChainProgress(9, 9, null));
    }

    @Test
    void shouldKeepTheTimeOfTheOldestUnsignedEntryAcrossBatches() {
        ChainProgress before = new ChainProgress(8, 5, NOW.minusSeconds(4));

        CheckpointPolicy.Plan plan = policy.plan(before, entries(9, 9), NOW);

        assertThat(plan.after().uncoveredSince()).isEqualTo(NOW.minusSeconds(4));
    }

    @Test
    void shouldSayATailIsDueExactlyAtTheMaximumAge() {
        assertThat(policy.isDue(NOW.minusSeconds(10), NOW)).isTrue();
        assertThat(policy.isDue(NOW.minusMillis(9_999), NOW)).isFalse();
    }
}
