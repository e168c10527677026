package io.budgetguard.cli.db;

import static org.awaitility.Awaitility.await;

import io.budgetguard.infra.local.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Makes the shared PostgreSQL check passwords (SCRAM) for one database, for as long as this is open. The embedded
 * server trusts every loopback connection, so a wrong password would otherwise go unnoticed; the rules added to
 * {@code pg_hba.conf} name only the given database, which no other test uses, and are removed on close.
 */
final class PasswordCheckedDatabase implements AutoCloseable {

    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(10);

    private final EmbeddedPostgres postgres;
    private final String database;
    private final Path hbaFile;
    private final String original;

    private PasswordCheckedDatabase(EmbeddedPostgres postgres, String database, Path hbaFile, String original) {
        this.postgres = postgres;
        this.database = database;
        this.hbaFile = hbaFile;
        this.original = original;
    }

    static PasswordCheckedDatabase require(EmbeddedPostgres postgres, String database) throws SQLException {
        Path hbaFile = Path.of(setting(postgres, "hba_file"));
        String original = read(hbaFile);
        // pg_hba.conf is read top-down, first match wins: these lines go before the trust rules.
        String rules = "host " + database + " all 127.0.0.1/32 scram-sha-256\n"
                + "host " + database + " all ::1/128 scram-sha-256\n";
        write(hbaFile, rules + original);
        PasswordCheckedDatabase checked = new PasswordCheckedDatabase(postgres, database, hbaFile, original);
        reload(postgres);
        await().atMost(RELOAD_TIMEOUT).until(() -> !checked.acceptsAnyPassword());
        return checked;
    }

    @Override
    public void close() throws SQLException {
        write(hbaFile, original);
        reload(postgres);
        await().atMost(RELOAD_TIMEOUT).until(this::acceptsAnyPassword);
    }

    private boolean acceptsAnyPassword() {
        try (Connection ignored = DriverManager.getConnection(postgres.jdbcUrl(database), postgres.superuser(),
                "not-the-password")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static String setting(EmbeddedPostgres postgres, String name) throws SQLException {
        try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static void reload(EmbeddedPostgres postgres) throws SQLException {
        try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
