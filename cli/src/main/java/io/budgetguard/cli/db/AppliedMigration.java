package io.budgetguard.cli.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** One successful versioned migration as Flyway recorded it in {@code flyway_schema_history}. */
record AppliedMigration(String version, String description) {

    /** Every successful versioned migration, oldest first; empty when Flyway never ran on this database. */
    static List<AppliedMigration> readAll(Connection connection) throws SQLException {
        List<AppliedMigration> applied = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return applied;
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT version, description FROM flyway_schema_history"
                    + " WHERE success AND version IS NOT NULL ORDER BY installed_rank")) {
                while (rows.next()) {
                    applied.add(new AppliedMigration(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return applied;
    }

    @Override
    public String toString() {
        return "V" + version + " " + description;
    }
}
