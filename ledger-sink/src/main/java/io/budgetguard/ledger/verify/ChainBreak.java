package io.budgetguard.ledger.verify;

import io.budgetguard.ledger.checkpoint.ChainIds;
import java.util.Objects;

/**
 * The first entry of a chain that does not verify: which entry (chain, seq and a label — the event_id of a ledger
 * entry, {@code action subject} of an audit entry — as stored) and what is wrong with it. {@code chainId} is the
 * tenant id for a ledger chain and {@code audit:<tenant>} for an audit chain.
 */
public record ChainBreak(String chainId, long seq, String label, Kind kind, String detail) {

    public enum Kind {
        /** The entry's seq is not the one after its predecessor: entries are missing (deleted) or renumbered. */
        SEQ_GAP,
        /** prev_hash is not the entry_hash of the previous entry (32 zero bytes for seq 1). */
        PREV_HASH_MISMATCH,
        /** entry_hash is not SHA-256(prev_hash ‖ canonical content): the content was changed. */
        ENTRY_HASH_MISMATCH,
        /** The row cannot be an entry at all (a NULL, a hash that is not 32 bytes): the schema was bypassed. */
        MALFORMED_ROW,
        /**
         * A signed checkpoint's head_hash is not the entry_hash at its seq: the chain up to there was rewritten (with
         * recomputed hashes, or the break would show earlier).
         */
        CHECKPOINT_MISMATCH,
        /** A checkpoint's signature does not verify with the published public keys: the checkpoint was forged or changed. */
        CHECKPOINT_SIGNATURE_INVALID,
        /** A signed checkpoint covers seqs the chain no longer has: entries were removed from its end. */
        CHAIN_TRUNCATED
    }

    public ChainBreak {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * One line for a terminal: {@code tenant acme seq 5 (event evt-5): ENTRY_HASH_MISMATCH - ...}, or
     * {@code audit chain of tenant acme seq 2 (apikey.revoked apikey/k…): ...}.
     */
    public String describe() {
        String chain = ChainIds.isAudit(chainId) ? "audit chain of tenant '" + ChainIds.auditTenant(chainId) + "'"
                : "tenant " + chainId;
        String what = label == null ? "" : ChainIds.isAudit(chainId) ? " (" + label + ")" : " (event " + label + ")";
        return chain + " seq " + seq + what + ": " + kind + " - " + detail;
    }
}
