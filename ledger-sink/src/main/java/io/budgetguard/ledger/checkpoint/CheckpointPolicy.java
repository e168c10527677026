package io.budgetguard.ledger.checkpoint;

import io.budgetguard.ledger.chain.ChainHead;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * When to checkpoint a chain (PRODUCT.md §5: at least every 1000 entries or 10 seconds of activity): an entry that is
 * {@code maxEntries} after the last signed one is signed itself, and a chain whose oldest unsigned entry was appended
 * {@code maxAge} ago or more gets its head signed. Pure: it decides, {@link Checkpointer} signs.
 */
public record CheckpointPolicy(int maxEntries, Duration maxAge) {

    public static final CheckpointPolicy DEFAULT = new CheckpointPolicy(1000, Duration.ofSeconds(10));

    public CheckpointPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative, was " + maxAge);
        }
    }

    /** Which heads to sign, and the chain's progress once they are. */
    public record Plan(List<ChainHead> toSign, ChainProgress after) {

        public Plan {
            toSign = List.copyOf(toSign);
            Objects.requireNonNull(after, "after");
        }
    }

    /**
     * The checkpoints due after {@code appended} (the entries just added to the chain, in seq order, possibly none)
     * were appended at {@code now} to a chain that was at {@code before}.
     */
    public Plan plan(ChainProgress before, List<ChainHead> appended, Instant now) {
        long signed = before.signedSeq();
        long head = before.headSeq();
        Instant uncoveredSince = before.uncoveredSince();
        List<ChainHead> toSign = new ArrayList<>();
        ChainHead last = null;
        for (ChainHead entry : appended) {
            if (uncoveredSince == null) {
                uncoveredSince = now;
            }
            if (entry.seq() - signed >= maxEntries) {
                toSign.add(entry);
                signed = entry.seq();
                uncoveredSince = null;
            }
            head = entry.seq();
            last = entry;
        }
        if (head > signed && uncoveredSince != null && isDue(uncoveredSince, now) && last != null) {
            toSign.add(last);
            signed = head;
            uncoveredSince = null;
        }
        return new Plan(toSign, new ChainProgress(head, signed, head > signed ? uncoveredSince : null));
    }

    /** Whether a chain unsigned since {@code uncoveredSince} must be signed at {@code now}. */
    public boolean isDue(Instant uncoveredSince, Instant now) {
        return !uncoveredSince.plus(maxAge).isAfter(now);
    }
}
