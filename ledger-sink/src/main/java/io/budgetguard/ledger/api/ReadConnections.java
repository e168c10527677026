package io.budgetguard.ledger.api;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A small pool of database connections for the read API (the sink's own login; every query then switches to the
 * reader role, see {@link LedgerReader}). Separate from the sink's writing connection, so that reads never wait for a
 * batch. A connection that failed is closed, never returned.
 */
final class ReadConnections implements AutoCloseable {

    private final String url;
    private final Properties properties = new Properties();
    private final Semaphore permits;
    private final BlockingQueue<Connection> idle;
    private volatile boolean closed;

    ReadConnections(String url, String user, String password, int size) {
        this.url = url;
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", "budgetguard-ledger-api");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", "30");
        this.permits = new Semaphore(size);
        this.idle = new ArrayBlockingQueue<>(size);
    }

    /** The work a request does on a borrowed connection, in manual-commit mode. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection; 503 when none frees up within five seconds. */
    <T> T with(Work<T> work) throws SQLException {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiProblems.unavailable("Interrupted while waiting for a database connection");
        }
        if (!acquired || closed) {
            if (acquired) {
                permits.release();
            }
            throw ApiProblems.unavailable("Every ledger database connection is busy; retry shortly");
        }
        Connection connection = null;
        try {
            connection = idle.poll();
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(url, properties);
                connection.setAutoCommit(false);
            }
            T result = work.run(connection);
            if (!idle.offer(connection)) {
                connection.close();
            }
            connection = null;
            return result;
        } finally {
            if (connection != null) {
                closeQuietly(connection);
            }
            permits.release();
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // broken: closing it is all that is left
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing more to release
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection connection;
        while ((connection = idle.poll()) != null) {
            closeQuietly(connection);
        }
    }
}
