package io.budgetguard.ledger.verify;

import java.util.List;
import java.util.Optional;

/** The result of {@link LedgerVerifier#verify}: one {@link TenantChain} per tenant found, in tenant order. */
public record VerificationReport(List<TenantChain> tenants) {

    public VerificationReport {
        tenants = List.copyOf(tenants);
    }

    /** True when every chain read verifies (also when there was nothing to read: see {@link #tenants()}). */
    public boolean ok() {
        return tenants.stream().allMatch(TenantChain::ok);
    }

    /** The first break, in tenant order. */
    public Optional<ChainBreak> firstBreak() {
        return breaks().stream().findFirst();
    }

    /** The first break of every broken tenant. */
    public List<ChainBreak> breaks() {
        return tenants.stream().flatMap(t -> t.firstBreak().stream()).toList();
    }

    public long entriesVerified() {
        return tenants.stream().mapToLong(TenantChain::entriesVerified).sum();
    }
}
