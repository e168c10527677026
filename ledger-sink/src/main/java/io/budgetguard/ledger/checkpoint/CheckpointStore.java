package io.budgetguard.ledger.checkpoint;

import io.budgetguard.ledger.chain.ChainHash;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads and appends {@code ledger_checkpoints}, in the caller's transaction. */
public final class CheckpointStore {

    public static final String COLUMNS = "tenant_id, seq, head_hash, signed_at, signature, key_version";

    /**
     * Two sink instances may sign the same head (a crash recovery seals every unsigned tail): the first row wins and
     * the other is dropped. Both would be valid signatures of the same head.
     */
    private static final String INSERT = "INSERT INTO ledger_checkpoints (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (tenant_id, seq) DO NOTHING";

    /** The newest checkpoint of every chain, one index probe per chain (a skip scan over the primary key). */
    private static final String NEWEST_PER_CHAIN = """
            WITH RECURSIVE chains (tenant_id) AS (
                SELECT min(tenant_id) FROM ledger_checkpoints
                UNION ALL
                SELECT (SELECT min(c.tenant_id) FROM ledger_checkpoints c WHERE c.tenant_id > chains.tenant_id)
                FROM chains WHERE chains.tenant_id IS NOT NULL)
            SELECT n.tenant_id, n.seq, n.head_hash, n.signed_at, n.signature, n.key_version
            FROM chains
            JOIN LATERAL (SELECT * FROM ledger_checkpoints c WHERE c.tenant_id = chains.tenant_id
                          ORDER BY c.seq DESC LIMIT 1) n ON true
            WHERE chains.tenant_id IS NOT NULL
            """;

    private CheckpointStore() {}

    public static void insert(Connection connection, Collection<Checkpoint> checkpoints) throws SQLException {
        if (checkpoints.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (Checkpoint checkpoint : checkpoints) {
                insert.setString(1, checkpoint.chainId());
                insert.setLong(2, checkpoint.seq());
                insert.setBytes(3, checkpoint.headHash().bytes());
                insert.setObject(4, OffsetDateTime.ofInstant(checkpoint.signedAt(), ZoneOffset.UTC));
                insert.setString(5, checkpoint.signature());
                insert.setInt(6, checkpoint.keyVersion());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** The newest checkpoint of every chain in the table (ledger and audit chains alike). */
    public static List<Checkpoint> newestPerChain(Connection connection) throws SQLException {
        List<Checkpoint> newest = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(NEWEST_PER_CHAIN);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                newest.add(read(rows));
            }
        }
        return newest;
    }

    /**
     * The checkpoint in the current row, selected with {@link #COLUMNS}.
     *
     * @throws IllegalArgumentException when the row cannot be a checkpoint (a head that is not 32 bytes...)
     */
    public static Checkpoint read(ResultSet row) throws SQLException {
        byte[] head = row.getBytes("head_hash");
        OffsetDateTime signedAt = row.getObject("signed_at", OffsetDateTime.class);
        return new Checkpoint(row.getString("tenant_id"), row.getLong("seq"), ChainHash.of(head),
                signedAt == null ? null : signedAt.toInstant(), row.getString("signature"), row.getInt("key_version"));
    }
}
