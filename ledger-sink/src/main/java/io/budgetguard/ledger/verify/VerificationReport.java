package io.budgetguard.ledger.verify;

import io.budgetguard.ledger.checkpoint.ChainIds;
import java.util.List;
import java.util.Optional;

/**
 * The result of {@link LedgerVerifier#verify}: one {@link TenantChain} per chain found (ledger chains, then audit
 * chains, each in tenant order), and whether checkpoint signatures were checked (only when public keys were given).
 */
public record VerificationReport(List<TenantChain> chains, boolean signaturesChecked) {

    public VerificationReport {
        chains = List.copyOf(chains);
    }

    /** True when every chain read verifies (also when there was nothing to read: see {@link #chains()}). */
    public boolean ok() {
        return chains.stream().allMatch(TenantChain::ok);
    }

    /** The ledger chains (one per tenant). */
    public List<TenantChain> tenants() {
        return chains.stream().filter(c -> !ChainIds.isAudit(c.chainId())).toList();
    }

    /** The audit chains ({@code audit:<tenant>}). */
    public List<TenantChain> auditChains() {
        return chains.stream().filter(c -> ChainIds.isAudit(c.chainId())).toList();
    }

    /** The first break, ledger chains first, in tenant order. */
    public Optional<ChainBreak> firstBreak() {
        return breaks().stream().findFirst();
    }

    /** The first break of every broken chain. */
    public List<ChainBreak> breaks() {
        return chains.stream().flatMap(t -> t.firstBreak().stream()).toList();
    }

    /** Ledger entries verified (audit entries not included). */
    public long entriesVerified() {
        return tenants().stream().mapToLong(TenantChain::entriesVerified).sum();
    }

    public long auditEntriesVerified() {
        return auditChains().stream().mapToLong(TenantChain::entriesVerified).sum();
    }

    public long checkpointsVerified() {
        return chains.stream().mapToLong(TenantChain::checkpointsVerified).sum();
    }
}
