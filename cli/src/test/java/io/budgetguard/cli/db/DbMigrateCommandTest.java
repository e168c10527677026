package io.budgetguard.cli.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.budgetguard.cli.BudgetGuardCommand;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.testing.SharedStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code budgetguard db migrate} run in-process against a fresh database on the shared PostgreSQL. */
@ExtendWith(SharedStack.class)
class DbMigrateCommandTest {

    private final EmbeddedPostgres postgres = SharedStack.stack().postgres();
    private final String databaseUrl = SharedStack.createDatabase("dbcmd");
    // Login users are cluster-wide: a unique name keeps test classes and reruns apart.
    private final String writerUser = "dbcmd_sink_" + SharedStack.uniqueSuffix();
    private final String writerPassword = "writer-" + SharedStack.uniqueSuffix() + SharedStack.uniqueSuffix();

    @TempDir
    Path tempDir;

    @Test
    void shouldApplyTheLedgerSchemaToAnEmptyDatabase() throws SQLException {
        Run run = migrate();

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Applied ").contains("V1 ledger").contains("Schema is now at version");
        assertThat(tableExists("ledger_entries")).isTrue();
    }

    @Test
    void shouldApplyNothingWhenRunTwice() throws SQLException {
        Run first = migrate();
        int historyRows = historyRows();

        Run second = migrate();

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).contains("up to date").doesNotContain("Applied ");
        assertThat(historyRows()).isEqualTo(historyRows);
    }

    @Test
    void shouldCreateAWriterThatCanInsertSinkOffsets() throws Exception {
        Run run = migrate("--writer-user", writerUser, "--writer-password-file", passwordFile().toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Created login user " + writerUser + ", member of budgetguard_writer");
        try (Connection writer = connectAs(writerUser, writerPassword);
                Statement statement = writer.createStatement()) {
            int inserted = statement.executeUpdate(
                    "INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset)"
                            + " VALUES ('g', 't', 0, 42)");
            assertThat(inserted).isEqualTo(1);
        }
    }

    @Test
    void shouldCreateAWriterThatCannotUpdateLedgerEntries() throws Exception {
        Run run = migrate("--writer-user", writerUser, "--writer-password-file", passwordFile().toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        try (Connection writer = connectAs(writerUser, writerPassword);
                Statement statement = writer.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate("UPDATE ledger_entries SET model = 'changed'"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void shouldUpdateAnExistingWriterOnASecondRun() throws Exception {
        Path file = passwordFile();
        migrate("--writer-user", writerUser, "--writer-password-file", file.toString());

        Run second = migrate("--writer-user", writerUser, "--writer-password-file", file.toString());

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).contains("Updated login user " + writerUser);
    }

    @Test
    void shouldRefuseAWriterWithoutPasswordBeforeChangingAnything() throws SQLException {
        assumeThat(System.getenv(WriterPassword.ENV)).as("the test JVM must not have " + WriterPassword.ENV).isNull();

        Run run = migrate("--writer-user", writerUser);

        assertThat(run.exitCode()).isEqualTo(DbMigrateCommand.EXIT_BAD_SETTINGS);
        assertThat(run.err()).contains(WriterPassword.ENV).contains("--writer-password-file");
        assertThat(tableExists("ledger_entries")).isFalse();
    }

    @Test
    void shouldRefuseAMissingDatabaseUrl() {
        Run run = execute("db", "migrate", "--database-url", "", "--user", postgres.superuser(), "--password", "x");

        assertThat(run.exitCode()).isEqualTo(DbMigrateCommand.EXIT_BAD_SETTINGS);
        assertThat(run.err()).contains("DATABASE_URL");
    }

    @Test
    void shouldFailWithoutStackTraceOrPasswordWhenTheOwnerPasswordIsWrong() throws Exception {
        String wrongPassword = "wrong-" + SharedStack.uniqueSuffix() + SharedStack.uniqueSuffix();
        try (PasswordCheckedDatabase ignored = PasswordCheckedDatabase.require(postgres, databaseName())) {
            Run run = execute("db", "migrate", "--database-url", databaseUrl, "--user", postgres.superuser(),
                    "--password", wrongPassword);

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(DbMigrateCommand.EXIT_FAILED);
            assertThat(run.err()).contains("db migrate: failed").contains("password authentication failed");
            assertThat(run.out() + run.err()).doesNotContain(wrongPassword).doesNotContain("\tat ");
        }
    }

    private Run migrate(String... extra) {
        List<String> args = new ArrayList<>(List.of("db", "migrate", "--database-url", databaseUrl,
                "--user", postgres.superuser(), "--password", postgres.superuserPassword()));
        args.addAll(List.of(extra));
        return execute(args.toArray(String[]::new));
    }

    private static Run execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = BudgetGuardCommand.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private Path passwordFile() throws Exception {
        Path file = tempDir.resolve("writer-password");
        Files.writeString(file, writerPassword + "\n");
        return file;
    }

    private String databaseName() {
        return databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1);
    }

    private Connection connectAs(String login, String loginPassword) throws SQLException {
        return DriverManager.getConnection(databaseUrl, login, loginPassword);
    }

    private boolean tableExists(String table) throws SQLException {
        try (Connection owner = postgres.connect(databaseName()); Statement statement = owner.createStatement();
                ResultSet rows = statement.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rows.next();
            return rows.getBoolean(1);
        }
    }

    private int historyRows() throws SQLException {
        try (Connection owner = postgres.connect(databaseName()); Statement statement = owner.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM flyway_schema_history")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nout:\n" + out + "\nerr:\n" + err;
        }
    }
}
