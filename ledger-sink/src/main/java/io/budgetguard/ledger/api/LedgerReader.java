package io.budgetguard.ledger.api;

import io.budgetguard.infra.db.Migrations;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.store.LedgerColumns;
import io.budgetguard.ledger.store.LedgerEntryRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The read API's queries. Each runs in its own read-only transaction that first becomes {@value Migrations#READER_ROLE}
 * ({@code SET LOCAL ROLE}) and names the caller's tenant ({@code set_config('budgetguard.tenant_id', ?, true)}): the
 * database's row-level security then returns that tenant's rows only, whatever the SQL asks for. The {@code WHERE
 * tenant_id = ?} below is for the index, not for isolation.
 */
final class LedgerReader {

    private static final String AS_READER = "SET LOCAL ROLE " + Migrations.READER_ROLE;
    private static final String TENANT = "SELECT set_config('budgetguard.tenant_id', ?, true)";
    private static final String ENTRIES = "SELECT " + LedgerColumns.ALL + " FROM ledger_entries "
            + "WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?";
    private static final String CHECKPOINTS = "SELECT " + CheckpointStore.COLUMNS + " FROM ledger_checkpoints "
            + "WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?";

    /** Work done inside a tenant's reader transaction. */
    @FunctionalInterface
    interface AsTenant<T> {
        T run(Connection connection) throws SQLException;
    }

    private final ReadConnections connections;

    LedgerReader(ReadConnections connections) {
        this.connections = connections;
    }

    /**
     * Up to {@code limit} ledger entries of {@code tenant} after {@code afterSeq}, in seq order, read on a connection
     * inside {@link #asTenant} (so that what is done with them, decryption, sees the same snapshot and role).
     */
    static List<LedgerEntry> entries(Connection connection, String tenant, long afterSeq, int limit)
            throws SQLException {
        List<LedgerEntry> entries = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(ENTRIES)) {
            query.setString(1, tenant);
            query.setLong(2, afterSeq);
            query.setInt(3, limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    entries.add(LedgerEntryRows.read(rows));
                }
            }
        }
        return entries;
    }

    /** Up to {@code limit} checkpoints of {@code tenant}'s ledger chain after {@code afterSeq}, in seq order. */
    List<Checkpoint> checkpoints(String tenant, long afterSeq, int limit) throws SQLException {
        return asTenant(tenant, connection -> {
            List<Checkpoint> checkpoints = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(CHECKPOINTS)) {
                query.setString(1, tenant);
                query.setLong(2, afterSeq);
                query.setInt(3, limit);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        checkpoints.add(CheckpointStore.read(rows));
                    }
                }
            }
            return checkpoints;
        });
    }

    /** Runs {@code work} as the reader role with {@code tenant} set, in one read-only transaction. */
    <T> T asTenant(String tenant, AsTenant<T> work) throws SQLException {
        return connections.with(connection -> {
            try {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET TRANSACTION READ ONLY");
                    statement.execute(AS_READER);
                }
                try (PreparedStatement setting = connection.prepareStatement(TENANT)) {
                    setting.setString(1, tenant);
                    setting.execute();
                }
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        });
    }
}
