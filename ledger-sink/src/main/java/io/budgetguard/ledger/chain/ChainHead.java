package io.budgetguard.ledger.chain;

import java.util.Objects;

/** The newest entry of a tenant's chain: its seq and entry_hash; {@link #EMPTY} before the first entry. */
public record ChainHead(long seq, ChainHash hash) {

    /** A chain without entries: the next entry is seq 1 with the all-zero prev_hash. */
    public static final ChainHead EMPTY = new ChainHead(0, ChainHash.GENESIS);

    public ChainHead {
        Objects.requireNonNull(hash, "hash");
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, was " + seq);
        }
    }

    /** Appends {@code content} after this head. */
    public LedgerEntry append(EntryContent content) {
        return LedgerEntry.append(content, seq + 1, hash);
    }

    public static ChainHead of(LedgerEntry entry) {
        return new ChainHead(entry.seq(), entry.entryHash());
    }
}
