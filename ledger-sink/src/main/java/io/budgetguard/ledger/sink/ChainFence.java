package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.ChainHead;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves each chain a batch appended to in {@code ledger_chain_heads}, from the head the batch chained from to its new
 * head, in one statement per batch (V5__ledger_monthly_partitions.sql, D32). A chain whose row is no longer at the
 * head this writer chained from was extended by another writer: the batch must roll back, as a (tenant_id, seq)
 * violation made it before the ledger was partitioned. A concurrent writer's update holds the row lock, so this one
 * waits for its commit and then finds the seq moved.
 */
final class ChainFence {

    private static final String ADVANCE = """
            WITH moves (tenant_id, from_seq, seq, entry_hash) AS (
                SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bytea[])),
            started AS (
                INSERT INTO ledger_chain_heads (tenant_id, seq, entry_hash)
                SELECT tenant_id, seq, entry_hash FROM moves WHERE from_seq = 0
                ON CONFLICT (tenant_id) DO NOTHING
                RETURNING tenant_id),
            moved AS (
                UPDATE ledger_chain_heads h SET seq = m.seq, entry_hash = m.entry_hash
                FROM moves m
                WHERE h.tenant_id = m.tenant_id AND m.from_seq > 0 AND h.seq = m.from_seq
                RETURNING h.tenant_id)
            SELECT tenant_id FROM started UNION ALL SELECT tenant_id FROM moved""";

    private ChainFence() {}

    /** A chain that went from {@code from} to {@code to} in this transaction. */
    record Move(ChainHead from, ChainHead to) {}

    /**
     * Moves every chain of {@code moves} (keyed by tenant id) in the caller's transaction.
     *
     * @throws ChainForkedException when a chain's stored head is not the one it moved from
     */
    static void advance(Connection connection, Map<String, Move> moves) throws SQLException {
        if (moves.isEmpty()) {
            return;
        }
        int size = moves.size();
        String[] tenants = new String[size];
        Long[] fromSeqs = new Long[size];
        Long[] seqs = new Long[size];
        byte[][] hashes = new byte[size][];
        int i = 0;
        for (Map.Entry<String, Move> move : moves.entrySet()) {
            tenants[i] = move.getKey();
            fromSeqs[i] = move.getValue().from().seq();
            seqs[i] = move.getValue().to().seq();
            hashes[i] = move.getValue().to().hash().bytes();
            i++;
        }
        Set<String> moved = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(ADVANCE)) {
            statement.setArray(1, connection.createArrayOf("text", tenants));
            statement.setArray(2, connection.createArrayOf("bigint", fromSeqs));
            statement.setArray(3, connection.createArrayOf("bigint", seqs));
            statement.setArray(4, connection.createArrayOf("bytea", hashes));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    moved.add(rows.getString(1));
                }
            }
        }
        if (moved.size() < size) {
            List<String> stale = new ArrayList<>();
            moves.forEach((tenant, move) -> {
                if (!moved.contains(tenant)) {
                    stale.add(tenant + " (chained from seq " + move.from().seq() + ")");
                }
            });
            throw new ChainForkedException(stale);
        }
    }
}
