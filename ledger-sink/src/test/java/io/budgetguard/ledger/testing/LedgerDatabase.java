package io.budgetguard.ledger.testing;

import io.budgetguard.infra.db.DatabasePasswords;
import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.testing.SharedStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A fresh, migrated ledger database on the shared PostgreSQL, with a login user for the writer role and one for the
 * reader role (unique names: roles are cluster-wide and the cluster is shared by every test class).
 */
public record LedgerDatabase(String url, String writerUser, String writerPassword, String readerUser,
        String readerPassword) {

    public static LedgerDatabase create(String prefix) {
        String url = SharedStack.createDatabase(prefix);
        EmbeddedPostgres postgres = SharedStack.stack().postgres();
        Migrations.migrate(url, postgres.superuser(), postgres.superuserPassword());
        String suffix = SharedStack.uniqueSuffix();
        String writer = "writer_" + suffix;
        String reader = "reader_" + suffix;
        String writerPassword = DatabasePasswords.generate();
        String readerPassword = DatabasePasswords.generate();
        Migrations.grantLogin(url, postgres.superuser(), postgres.superuserPassword(), Migrations.WRITER_ROLE, writer,
                writerPassword);
        Migrations.grantLogin(url, postgres.superuser(), postgres.superuserPassword(), Migrations.READER_ROLE, reader,
                readerPassword);
        return new LedgerDatabase(url, writer, writerPassword, reader, readerPassword);
    }

    public Connection superuser() throws SQLException {
        EmbeddedPostgres postgres = SharedStack.stack().postgres();
        return DriverManager.getConnection(url, postgres.superuser(), postgres.superuserPassword());
    }

    public Connection writer() throws SQLException {
        return DriverManager.getConnection(url, writerUser, writerPassword);
    }

    public Connection reader() throws SQLException {
        return DriverManager.getConnection(url, readerUser, readerPassword);
    }

    public String superuserName() {
        return SharedStack.stack().postgres().superuser();
    }

    public String superuserPassword() {
        return SharedStack.stack().postgres().superuserPassword();
    }
}
