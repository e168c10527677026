package io.budgetguard.ledger.verify;

import io.budgetguard.ledger.chain.ChainHead;
import java.util.Objects;
import java.util.Optional;

/**
 * The verification of one tenant's chain: how many entries were read, the last entry that verified
 * ({@link ChainHead#EMPTY} when none did), and the first break if any (entries after a break are not checked).
 */
public record TenantChain(String tenantId, long entriesVerified, ChainHead verifiedHead, Optional<ChainBreak> firstBreak) {

    public TenantChain {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(verifiedHead, "verifiedHead");
        Objects.requireNonNull(firstBreak, "firstBreak");
    }

    public boolean ok() {
        return firstBreak.isEmpty();
    }
}
