package io.budgetguard.ledger.checkpoint;

import java.time.Instant;

/**
 * How far a chain is signed: its head seq, the seq of its newest checkpoint, and since when entries after that
 * checkpoint exist ({@code null} when the head is signed, or the chain is empty).
 */
public record ChainProgress(long headSeq, long signedSeq, Instant uncoveredSince) {

    public ChainProgress {
        if (headSeq < 0 || signedSeq < 0) {
            throw new IllegalArgumentException("seqs must be >= 0, were " + headSeq + " and " + signedSeq);
        }
        if (headSeq <= signedSeq) {
            uncoveredSince = null;
        }
    }

    /**
     * A chain first seen by this instance: unsigned entries found in the database count as appended {@code now} (the
     * instance cannot know when they were, and signing at most {@code maxAge} later is what matters).
     */
    public static ChainProgress found(long headSeq, long signedSeq, Instant now) {
        return new ChainProgress(headSeq, signedSeq, headSeq > signedSeq ? now : null);
    }

    public boolean unsigned() {
        return headSeq > signedSeq;
    }
}
