package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads chain heads and how far they are signed, for the ledger (checkpoints under the tenant id) and the audit trail
 * ({@code audit_log}, checkpoints under {@code audit:<tenant>}). One index probe per chain. The ledger's heads come
 * from {@code ledger_chain_heads}, the row {@link ChainFence} moves in every batch's transaction, not from the
 * partitioned {@code ledger_entries}, where the newest seq would take one probe per monthly partition.
 */
enum ChainHeads {

    LEDGER("ledger_chain_heads", ""),
    AUDIT("audit_log", "audit:");

    /** A chain's newest entry ({@link ChainHead#EMPTY} when none) and the seq of its newest checkpoint (0 when none). */
    record Found(String tenantId, ChainHead head, long signedSeq) {}

    private final String heads;
    private final String unsigned;

    ChainHeads(String table, String checkpointPrefix) {
        String signedSeq = "(SELECT max(c.seq) FROM ledger_checkpoints c WHERE c.tenant_id = '" + checkpointPrefix
                + "' || t.tenant_id)";
        String newest = "(SELECT e.seq, e.entry_hash FROM " + table + " e WHERE e.tenant_id = t.tenant_id "
                + "ORDER BY e.seq DESC LIMIT 1) h ON true";
        this.heads = "SELECT t.tenant_id, h.seq, h.entry_hash, " + signedSeq + " FROM unnest(?::text[]) AS t (tenant_id) "
                + "LEFT JOIN LATERAL " + newest;
        // every tenant of the table by a skip scan over the primary key (one row per tenant in ledger_chain_heads),
        // then its head and newest checkpoint
        this.unsigned = "WITH RECURSIVE t (tenant_id) AS (SELECT min(tenant_id) FROM " + table + " UNION ALL "
                + "SELECT (SELECT min(x.tenant_id) FROM " + table + " x WHERE x.tenant_id > t.tenant_id) FROM t "
                + "WHERE t.tenant_id IS NOT NULL) "
                + "SELECT * FROM (SELECT t.tenant_id, h.seq, h.entry_hash, " + signedSeq + " AS signed FROM t "
                + "JOIN LATERAL " + newest + " WHERE t.tenant_id IS NOT NULL) s WHERE s.seq > coalesce(s.signed, 0)";
    }

    /** The head of every tenant in {@code tenantIds}; {@link ChainHead#EMPTY} for a tenant without entries. */
    Map<String, Found> read(Connection connection, Collection<String> tenantIds) throws SQLException {
        Map<String, Found> found = new HashMap<>();
        if (tenantIds.isEmpty()) {
            return found;
        }
        try (PreparedStatement query = connection.prepareStatement(heads)) {
            query.setArray(1, connection.createArrayOf("text", tenantIds.toArray(String[]::new)));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Found head = found(rows);
                    found.put(head.tenantId(), head);
                }
            }
        }
        return found;
    }

    /** Every chain whose head is newer than its newest checkpoint (a tail a crashed sink left unsigned). */
    List<Found> unsigned(Connection connection) throws SQLException {
        List<Found> found = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(unsigned); ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                found.add(found(rows));
            }
        }
        return found;
    }

    private static Found found(ResultSet rows) throws SQLException {
        byte[] hash = rows.getBytes(3);
        ChainHead head = hash == null ? ChainHead.EMPTY : new ChainHead(rows.getLong(2), ChainHash.of(hash));
        return new Found(rows.getString(1), head, rows.getLong(4));
    }
}
