package io.budgetguard.ledger.sink;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The sink's one database connection (the sink writes from one thread, one transaction at a time), opened lazily and
 * replaced after any failure so that a broken connection never survives a retry.
 */
final class DatabaseSession implements AutoCloseable {

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

    /** An open connection in manual-commit mode. */
    Connection connection() throws SQLException {
        if (connection == null) {
            Connection opened = DriverManager.getConnection(url, properties);
            opened.setAutoCommit(false);
            connection = opened;
        }
        return connection;
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
