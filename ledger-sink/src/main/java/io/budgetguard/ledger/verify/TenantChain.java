package io.budgetguard.ledger.verify;

import io.budgetguard.ledger.chain.ChainHead;
import java.util.Objects;
import java.util.Optional;

/**
 * The verification of one chain ({@code chainId}: a tenant id, or {@code audit:<tenant>}): how many entries were
 * read and verified, the last entry that verified ({@link ChainHead#EMPTY} when none did), how many checkpoints
 * matched it, the newest seq a verified checkpoint covers (0 when none), and the first break if any (entries after a
 * break are not checked).
 */
public record TenantChain(String chainId, long entriesVerified, ChainHead verifiedHead, long checkpointsVerified,
        long signedSeq, Optional<ChainBreak> firstBreak) {

    public TenantChain {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(verifiedHead, "verifiedHead");
        Objects.requireNonNull(firstBreak, "firstBreak");
    }

    public boolean ok() {
        return firstBreak.isEmpty();
    }

    /** Entries after the newest verified checkpoint: protected by the hash chain alone. */
    public long unsignedEntries() {
        return Math.max(0, verifiedHead.seq() - signedSeq);
    }
}
