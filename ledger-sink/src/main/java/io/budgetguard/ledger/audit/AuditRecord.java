package io.budgetguard.ledger.audit;

import io.budgetguard.ledger.chain.LedgerFormats;
import java.time.Instant;
import java.util.Objects;

/**
 * What an audit entry records before it has a place in its chain: who ({@code actor}: an API key id, {@code admin} or
 * {@code system}) did what ({@code action}, e.g. {@code apikey.revoked}) to what ({@code subject}, e.g.
 * {@code apikey/k0123…}) and when, with {@code details} as JSON text that never holds a secret. {@code tenantId} is
 * empty for platform-wide actions (prices).
 */
public record AuditRecord(String tenantId, Instant at, String actor, String action, String subject, String details) {

    public AuditRecord {
        Objects.requireNonNull(tenantId, "tenantId");
        at = LedgerFormats.toMillis(Objects.requireNonNull(at, "at"));
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(details, "details");
    }
}
