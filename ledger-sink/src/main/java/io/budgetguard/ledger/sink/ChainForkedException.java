package io.budgetguard.ledger.sink;

import java.util.List;

/**
 * A batch chained from a head that is no longer the stored one: another writer appended to the same chain (a
 * rebalance overlap, a second sink on the same tenants). The batch is rolled back, the chain-head cache dropped, and
 * the sink retries from the stored offsets and heads; nothing forked reaches the ledger.
 */
final class ChainForkedException extends RuntimeException {

    ChainForkedException(List<String> staleChains) {
        super("ledger_chain_heads moved under this writer for " + String.join(", ", staleChains)
                + ": another writer extended the chain");
    }
}
