package io.budgetguard.ledger.verify;

import java.util.Objects;

/**
 * The first entry of a tenant's chain that does not verify: which entry (tenant, seq, event_id, as stored) and what is
 * wrong with it.
 */
public record ChainBreak(String tenantId, long seq, String eventId, Kind kind, String detail) {

    public enum Kind {
        /** The entry's seq is not the one after its predecessor: entries are missing (deleted) or renumbered. */
        SEQ_GAP,
        /** prev_hash is not the entry_hash of the previous entry (32 zero bytes for seq 1). */
        PREV_HASH_MISMATCH,
        /** entry_hash is not SHA-256(prev_hash ‖ canonical content): the content was changed. */
        ENTRY_HASH_MISMATCH,
        /** The row cannot be an entry at all (a NULL, a hash that is not 32 bytes): the schema was bypassed. */
        MALFORMED_ROW
    }

    public ChainBreak {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    /** One line for a terminal: {@code tenant acme seq 5 (event evt-5): ENTRY_HASH_MISMATCH — ...}. */
    public String describe() {
        return "tenant " + tenantId + " seq " + seq + " (event " + eventId + "): " + kind + " - " + detail;
    }
}
