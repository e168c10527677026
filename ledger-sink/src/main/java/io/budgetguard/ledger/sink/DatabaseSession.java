package io.budgetguard.ledger.sink;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's one database connection (the sink writes from one thread, one transaction at a time), opened lazily and
 * replaced after any failure so that a broken connection never survives a retry.
 */
final class DatabaseSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseSession.class);
    private static final String WRITER_ROLE = io.budgetguard.infra.db.Migrations.WRITER_ROLE;
    private static final String MEMBER_OF_WRITER = "SELECT CASE WHEN to_regrole('" + WRITER_ROLE + "') IS NULL THEN false "
            + "ELSE current_user <> '" + WRITER_ROLE + "' AND pg_has_role(session_user, '" + WRITER_ROLE + "', 'MEMBER') END";

    private final String url;
    private final Properties properties = new Properties();
    private Connection connection;

    DatabaseSession(String url, String user, String password) {
        this.url = url;
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", "budgetguard-ledger-sink");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", "60");
        properties.setProperty("tcpKeepAlive", "true");
    }

    /** An open connection in manual-commit mode, acting as {@value #WRITER_ROLE} when the login is a member. */
    Connection connection() throws SQLException {
        if (connection == null) {
            Connection opened = DriverManager.getConnection(url, properties);
            try {
                opened.setAutoCommit(false);
                actAsWriter(opened);
            } catch (SQLException | RuntimeException e) {
                opened.close();
                throw e;
            }
            connection = opened;
        }
        return connection;
    }

    /**
     * Role attributes such as BYPASSRLS are not inherited through membership: the session must become the writer
     * role for the direct COPY path to apply (see V2__writer_copy.sql). It also drops any other right the login user
     * may have, superuser included.
     */
    private static void actAsWriter(Connection opened) throws SQLException {
        boolean becomeWriter;
        try (Statement statement = opened.createStatement();
                ResultSet answer = statement.executeQuery(MEMBER_OF_WRITER)) {
            answer.next();
            becomeWriter = answer.getBoolean(1);
        }
        if (becomeWriter) {
            try (Statement statement = opened.createStatement()) {
                statement.execute("SET ROLE " + WRITER_ROLE);
            }
        }
        String role;
        boolean rowSecurity;
        try (Statement statement = opened.createStatement();
                ResultSet answer = statement.executeQuery(
                        "SELECT current_user, row_security_active('ledger_entries')")) {
            answer.next();
            role = answer.getString(1);
            rowSecurity = answer.getBoolean(2);
        }
        opened.commit();
        LOG.info("Ledger database session acts as {}; batches are {}", role, rowSecurity
                ? "staged then inserted (the role is subject to row-level security, so COPY into the ledger is refused)"
                : "copied directly");
    }

    /** True when the server answers within {@code seconds}. */
    boolean ping(int seconds) {
        try {
            return connection().isValid(seconds);
        } catch (SQLException e) {
            reset();
            return false;
        }
    }

    /** Drops the connection; the next {@link #connection()} opens a new one. */
    void reset() {
        close();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing left to release
            }
            connection = null;
        }
    }
}
