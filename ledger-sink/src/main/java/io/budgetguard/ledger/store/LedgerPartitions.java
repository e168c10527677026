package io.budgetguard.ledger.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Creates the monthly partitions of {@code ledger_entries} ahead of time through
 * {@code budgetguard_ensure_ledger_partitions} (V5__ledger_monthly_partitions.sql), which runs as the schema owner:
 * the writer role may only execute it. A month without a partition still works (its rows land in
 * {@code ledger_entries_default}), which is why a failure here is reported and retried, never fatal.
 */
public final class LedgerPartitions {

    /** How many months after the current one the sink keeps partitioned; a failure has that long to be noticed. */
    public static final int MONTHS_AHEAD = 3;

    private static final String ENSURE = "SELECT budgetguard_ensure_ledger_partitions(?)";

    private LedgerPartitions() {}

    /**
     * Creates the missing partitions from the month of the oldest accepted occurred_at (35 days ago) to
     * {@code monthsAhead} months after the current one, and commits; returns how many it created.
     */
    public static int ensure(Connection connection, int monthsAhead) throws SQLException {
        int created;
        try (PreparedStatement statement = connection.prepareStatement(ENSURE)) {
            statement.setInt(1, monthsAhead);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                created = rows.getInt(1);
            }
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
        return created;
    }
}
