package io.budgetguard.infra.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from zonky's embedded binaries (it copes with running as root), on loopback, with the
 * database {@value #DATABASE} created at start. Authentication is {@code trust} on loopback, so the superuser's
 * password is only there for clients that insist on one.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    /** The application database created at start. */
    public static final String DATABASE = "budgetguard";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String SUPERUSER = "postgres";
    private static final String SUPERUSER_PASSWORD = "postgres";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final Path dataDir;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /** A server on a free port with a temporary data directory deleted on close. */
    public static EmbeddedPostgres start() {
        return start(0, null);
    }

    /**
     * Starts a server on {@code port} (0 = any free port). With a {@code dataDir}, an existing cluster there is reused
     * and kept on close; with null, a temporary cluster is created and deleted on close.
     */
    public static EmbeddedPostgres start(int port, Path dataDir) {
        long started = System.nanoTime();
        int resolvedPort = FreePorts.resolve(port);
        boolean temporary = dataDir == null;
        Path dir = temporary ? Directories.createTemp("budgetguard-postgres-") : Directories.create(dataDir);
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
        try {
            server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setPort(resolvedPort)
                    .setDataDirectory(dir)
                    // "clean" means initdb at start and delete at close; without it zonky runs initdb only when the
                    // directory holds no cluster yet, so a given directory keeps its databases across runs
                    .setCleanDataDirectory(temporary)
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL on port " + resolvedPort + " (data in "
                    + dir + "): " + e.getMessage(), e);
        }
        EmbeddedPostgres postgres = new EmbeddedPostgres(server, dir);
        try {
            postgres.createDatabaseIfMissing(DATABASE);
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
        LOG.info("PostgreSQL ready at localhost:{} in {} ms", resolvedPort, (System.nanoTime() - started) / 1_000_000);
        return postgres;
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return server.getPort();
    }

    public String superuser() {
        return SUPERUSER;
    }

    public String superuserPassword() {
        return SUPERUSER_PASSWORD;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** {@code jdbc:postgresql://localhost:<port>/<database>}, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** The JDBC URL of {@value #DATABASE}. */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    /** A new connection to {@code database} as the superuser; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", SUPERUSER_PASSWORD);
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /**
     * Creates {@code name} unless it exists. Names are restricted to lowercase identifiers, since CREATE DATABASE
     * takes no bind parameters.
     */
    public void createDatabaseIfMissing(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Database name must match " + DATABASE_NAME + ", was '" + name + "'");
        }
        try (Connection connection = connect("postgres");
                PreparedStatement exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("create database " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + name + " on " + jdbcUrl(name) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Stops the server; a temporary data directory is deleted. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stop embedded PostgreSQL on port " + port(), e);
        }
    }
}
