package io.budgetguard.cli.db;

import io.budgetguard.infra.db.Migrations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code budgetguard db migrate}: applies the ledger schema as its owner and, on request, creates or updates the
 * ledger sink's login. Exit status 0 on success, 1 when the database refused, 2 when the settings are incomplete
 * (then nothing was changed). Messages never contain a password and never a stack trace.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Apply the pending ledger migrations as the schema owner (idempotent: a second run applies nothing).",
            "With --writer-user, also create or update that login user as a member of " + Migrations.WRITER_ROLE
                    + " (INSERT-only on the ledger), the DATABASE_USER of the ledger sink. Its password is read from "
                    + WriterPassword.ENV + " or --writer-password-file, never from the command line.",
            "Exit status: 0 done, 1 the database refused (message printed), 2 incomplete settings (nothing changed)."
        })
public final class DbMigrateCommand implements Callable<Integer> {

    static final int EXIT_FAILED = 1;
    static final int EXIT_BAD_SETTINGS = 2;

    @Option(names = "--database-url", paramLabel = "JDBC_URL",
            description = "JDBC URL of the ledger database, jdbc:postgresql://host:port/db (default: $DATABASE_URL).")
    String databaseUrl = System.getenv("DATABASE_URL");

    @Option(names = "--user", paramLabel = "OWNER",
            description = "The schema owner that runs the migrations (default: $DATABASE_OWNER_USER, else $PGUSER).")
    String user = firstSet("DATABASE_OWNER_USER", "PGUSER");

    @Option(names = "--password", paramLabel = "PASSWORD", arity = "0..1", interactive = true,
            description = "The owner's password (default: $DATABASE_OWNER_PASSWORD, else $PGPASSWORD). "
                    + "Give the option without a value to be prompted for it.")
    String password = firstSet("DATABASE_OWNER_PASSWORD", "PGPASSWORD");

    @Option(names = "--writer-user", paramLabel = "LOGIN",
            description = "Also create or update this login user, granted " + Migrations.WRITER_ROLE + ".")
    String writerUser;

    @Option(names = "--writer-password-file", paramLabel = "FILE",
            description = "Read the writer's password from this file (e.g. a Docker secret) instead of $"
                    + WriterPassword.ENV + ".")
    Path writerPasswordFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> problems = new ArrayList<>();
        if (blank(databaseUrl)) {
            problems.add("no database: set DATABASE_URL or pass --database-url");
        } else if (!databaseUrl.startsWith("jdbc:postgresql:")) {
            problems.add("the database URL must be a PostgreSQL JDBC URL starting with jdbc:postgresql:");
        }
        if (blank(user)) {
            problems.add("no owner user: set DATABASE_OWNER_USER (or PGUSER) or pass --user");
        }
        if (password == null || password.isEmpty()) {
            problems.add("no owner password: set DATABASE_OWNER_PASSWORD (or PGPASSWORD) or pass --password"
                    + " (without a value to be prompted)");
        }
        String writerPassword = null;
        if (writerUser != null) {
            try {
                writerPassword = WriterPassword.resolve(writerPasswordFile, System.getenv());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        } else if (writerPasswordFile != null) {
            problems.add("--writer-password-file needs --writer-user");
        }
        if (!problems.isEmpty()) {
            for (String problem : problems) {
                err.println("db migrate: " + Redaction.redact(problem, password, writerPassword));
            }
            err.flush();
            return EXIT_BAD_SETTINGS;
        }

        String shownUrl = Redaction.redact(databaseUrl, password, writerPassword);
        try {
            migrate(out, shownUrl);
            if (writerUser != null) {
                grantWriter(out, writerPassword);
            }
            out.flush();
            return 0;
        } catch (RuntimeException | SQLException e) {
            out.flush();
            String reason = Redaction.redact(FailureMessage.describe(e), password, writerPassword);
            err.println("db migrate: failed on " + shownUrl + ": " + reason);
            err.flush();
            return EXIT_FAILED;
        }
    }

    private void migrate(PrintWriter out, String shownUrl) throws SQLException {
        out.println("Migrating " + shownUrl + " as " + user + " ...");
        out.flush();
        int appliedNow = Migrations.migrate(databaseUrl, user, password);
        List<AppliedMigration> history;
        try (Connection connection = DriverManager.getConnection(databaseUrl, user, password)) {
            history = AppliedMigration.readAll(connection);
        }
        String version = history.isEmpty() ? "none" : history.get(history.size() - 1).version();
        if (appliedNow == 0) {
            out.println("Schema is up to date at version " + version + ": no migration applied.");
            return;
        }
        out.println("Applied " + appliedNow + " migration(s):");
        // Flyway reports only a count; the newest rows of its history are the ones this run applied.
        history.subList(Math.max(0, history.size() - appliedNow), history.size())
                .forEach(migration -> out.println("  " + migration));
        out.println("Schema is now at version " + version + ".");
    }

    private void grantWriter(PrintWriter out, String writerPassword) throws SQLException {
        boolean existed;
        try (Connection connection = DriverManager.getConnection(databaseUrl, user, password);
                PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            query.setString(1, writerUser);
            try (ResultSet rows = query.executeQuery()) {
                existed = rows.next();
            }
        }
        Migrations.grantLogin(databaseUrl, user, password, Migrations.WRITER_ROLE, writerUser, writerPassword);
        String what = existed ? "Updated login user " + writerUser + " (password reset)"
                : "Created login user " + writerUser;
        out.println(what + ", member of " + Migrations.WRITER_ROLE + ".");
    }

    /** The first of these environment variables that is set; PG* so that a sourced dev.env is enough in dev. */
    private static String firstSet(String... names) {
        for (String name : names) {
            String value = System.getenv(name);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
