package io.budgetguard.infra.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.PGConnection;

/**
 * Applies the ledger schema ({@code db/migration/V*.sql}) and creates login users for the two application roles.
 * Both run as the schema owner, never as a service: the sink only ever holds {@value #WRITER_ROLE} credentials.
 *
 * <pre>{@code
 * Migrations.migrate(url, "postgres", ownerPassword);
 * String password = DatabasePasswords.generate();
 * Migrations.grantLogin(url, "postgres", ownerPassword, Migrations.WRITER_ROLE, "budgetguard_sink", password);
 * }</pre>
 */
public final class Migrations {

    /** May SELECT and INSERT the ledger tables and maintain {@code sink_offsets}; never UPDATE, DELETE or TRUNCATE. */
    public static final String WRITER_ROLE = "budgetguard_writer";
    /** May SELECT the ledger tables, only the rows of the tenant in {@code budgetguard.tenant_id} (row-level security). */
    public static final String READER_ROLE = "budgetguard_reader";

    private static final Set<String> ROLES = Set.of(WRITER_ROLE, READER_ROLE);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Migrations() {}

    /** Applies every pending migration; returns how many were applied. Idempotent. */
    public static int migrate(String jdbcUrl, String ownerUser, String ownerPassword) {
        MigrateResult result = Flyway.configure()
                .dataSource(jdbcUrl, ownerUser, ownerPassword)
                .locations("classpath:db/migration")
                .cleanDisabled(true)
                .load()
                .migrate();
        return result.migrationsExecuted;
    }

    /**
     * Creates (or updates) the login user {@code loginUser} with {@code password} and makes it a member of
     * {@code role}, one of {@link #WRITER_ROLE} and {@link #READER_ROLE}. The user name is checked against
     * {@code [a-z_][a-z0-9_]*} and quoted by the server ({@code format('%I')}); the password never travels as SQL
     * text: the driver sends only its SCRAM-SHA-256 verifier, so it cannot appear in a server log.
     */
    public static void grantLogin(String jdbcUrl, String ownerUser, String ownerPassword, String role,
            String loginUser, String password) {
        Objects.requireNonNull(password, "password");
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("Unknown role '" + role + "': expected " + WRITER_ROLE + " or " + READER_ROLE);
        }
        if (loginUser == null || !IDENTIFIER.matcher(loginUser).matches()) {
            throw new IllegalArgumentException(
                    "Invalid login user name '" + loginUser + "': expected [a-z_][a-z0-9_]*, at most 63 characters");
        }
        if (ROLES.contains(loginUser) || loginUser.startsWith("pg_")) {
            throw new IllegalArgumentException("Login user name '" + loginUser + "' is reserved");
        }
        if (password.length() < 16) {
            throw new IllegalArgumentException("The password for " + loginUser + " must have at least 16 characters");
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, ownerUser, ownerPassword)) {
            connection.setAutoCommit(false);
            boolean exists;
            try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                query.setString(1, loginUser);
                try (ResultSet rows = query.executeQuery()) {
                    exists = rows.next();
                }
            }
            executeFormatted(connection, exists
                    ? "SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', ?)"
                    : "SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', ?)",
                    loginUser);
            executeFormatted(connection, "SELECT format('GRANT %I TO %I', ?, ?)", role, loginUser);
            connection.unwrap(PGConnection.class).alterUserPassword(loginUser, password.toCharArray(), "scram-sha-256");
            connection.commit();
        } catch (SQLException e) {
            // The message names the user and role, never the password (the driver's message does not contain it).
            throw new IllegalStateException("Cannot create login user " + loginUser + " for role " + role + ": "
                    + e.getMessage(), e);
        }
    }

    /** Lets the server quote the identifiers ({@code format('%I')}), then runs the statement it built. */
    private static void executeFormatted(Connection connection, String formatQuery, String... arguments)
            throws SQLException {
        String statement;
        try (PreparedStatement format = connection.prepareStatement(formatQuery)) {
            for (int i = 0; i < arguments.length; i++) {
                format.setString(i + 1, arguments[i]);
            }
            try (ResultSet rows = format.executeQuery()) {
                rows.next();
                statement = rows.getString(1);
            }
        }
        try (Statement execute = connection.createStatement()) {
            execute.execute(statement);
        }
    }
}
