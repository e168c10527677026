package io.budgetguard.ledger.audit;

import io.budgetguard.ledger.chain.CanonicalJson;
import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryHasher;
import io.budgetguard.ledger.chain.LedgerFormats;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One row of {@code audit_log}, chained per {@code tenant_id} exactly as the ledger is (PRODUCT.md §5):
 * {@code entry_hash = SHA-256(prev_hash ‖ canonical)} over the canonical array
 * {@code ["audit-v1", tenant_id, seq, at, actor, action, subject, details]}.
 */
public record AuditEntry(String tenantId, long seq, Instant at, String actor, String action, String subject,
        String details, ChainHash prevHash, ChainHash entryHash) {

    public static final String VERSION = "audit-v1";

    public AuditEntry {
        Objects.requireNonNull(tenantId, "tenantId");
        at = LedgerFormats.toMillis(Objects.requireNonNull(at, "at"));
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(entryHash, "entryHash");
        if (seq < 1) {
            throw new IllegalArgumentException("seq starts at 1, was " + seq);
        }
    }

    /** The hashed fields in canonical order. */
    public List<String> canonicalFields() {
        return List.of(VERSION, tenantId, Long.toString(seq), LedgerFormats.timestamp(at), actor, action, subject,
                details);
    }

    public byte[] canonical() {
        return CanonicalJson.array(canonicalFields());
    }

    /** The hash this entry must have. */
    public ChainHash expectedHash() {
        return EntryHasher.hash(prevHash, canonical());
    }

    /** {@code record} as the entry after {@code head} of its tenant's audit chain. */
    public static AuditEntry append(AuditRecord record, ChainHead head) {
        long seq = head.seq() + 1;
        AuditEntry unsealed = new AuditEntry(record.tenantId(), seq, record.at(), record.actor(), record.action(),
                record.subject(), record.details(), head.hash(), head.hash());
        return new AuditEntry(record.tenantId(), seq, record.at(), record.actor(), record.action(), record.subject(),
                record.details(), head.hash(), unsealed.expectedHash());
    }

    /** A short label for messages: {@code action subject}. */
    public String label() {
        return action + " " + subject;
    }
}
