package io.budgetguard.ledger.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(SharedStack.class)
class LedgerSchemaTest {

    private static LedgerDatabase db;

    @BeforeAll
    static void migrate() throws SQLException {
        db = LedgerDatabase.create("schema");
        try (Connection owner = db.superuser()) {
            owner.setAutoCommit(false);
            insertEntries(owner, "acme", 2);
            insertEntries(owner, "globex", 1);
            try (Statement sql = owner.createStatement()) {
                sql.execute("INSERT INTO ledger_checkpoints VALUES ('acme', 1, '\\x" + "00".repeat(32)
                        + "', now(), 'vault:v1:AAAA', 1)");
                sql.execute("INSERT INTO audit_log VALUES ('acme', 1, now(), 'admin', 'tenant.created', 'acme', '{}', '\\x"
                        + "00".repeat(32) + "', '\\x" + "11".repeat(32) + "')");
                sql.execute("INSERT INTO audit_log VALUES ('', 1, now(), 'admin', 'prices.updated', 'openai', '{}', '\\x"
                        + "00".repeat(32) + "', '\\x" + "22".repeat(32) + "')");
            }
            owner.commit();
        }
    }

    private static void insertEntries(Connection connection, String tenant, int count) throws SQLException {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (int i = 1; i <= count; i++) {
            LedgerEntry entry = head.append(Fixtures.content(tenant, tenant + "-evt-" + i));
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        LedgerCopyWriter.append(connection, entries);
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void execute(Connection connection, String statement) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    @Test
    void shouldApplyNothingTheSecondTime() {
        assertThat(Migrations.migrate(db.url(), db.superuserName(), db.superuserPassword())).isZero();
    }

    @Test
    void shouldLetTheWriterAppendAndReadEveryTenant() throws SQLException {
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            insertEntries(writer, "initech", 3);
            writer.commit();

            assertThat(count(writer, "ledger_entries WHERE tenant_id = 'initech'")).isEqualTo(3);
            assertThat(count(writer, "ledger_entries WHERE tenant_id = 'acme'")).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "UPDATE ledger_entries SET cost_usd = 0",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries",
        "UPDATE ledger_checkpoints SET signature = ''",
        "DELETE FROM ledger_checkpoints",
        "TRUNCATE ledger_checkpoints",
        "UPDATE audit_log SET details = ''",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log"})
    void shouldDenyTheWriterAnyChangeToTheLedgerTables(String statement) throws SQLException {
        try (Connection writer = db.writer()) {
            assertThatThrownBy(() -> execute(writer, statement))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "UPDATE ledger_entries SET cost_usd = 0        | ledger_entries is append-only: UPDATE refused",
        "DELETE FROM ledger_entries                    | ledger_entries is append-only: DELETE refused",
        "TRUNCATE ledger_entries                       | ledger_entries is append-only: TRUNCATE refused",
        "UPDATE ledger_checkpoints SET signature = ''  | ledger_checkpoints is append-only: UPDATE refused",
        "DELETE FROM ledger_checkpoints                | ledger_checkpoints is append-only: DELETE refused",
        "TRUNCATE ledger_checkpoints                   | ledger_checkpoints is append-only: TRUNCATE refused",
        "UPDATE audit_log SET details = ''             | audit_log is append-only: UPDATE refused",
        "DELETE FROM audit_log                         | audit_log is append-only: DELETE refused",
        "TRUNCATE audit_log                            | audit_log is append-only: TRUNCATE refused"})
    void shouldRefuseChangesEvenToTheOwnerByTrigger(String statement, String message) throws SQLException {
        try (Connection owner = db.superuser()) {
            assertThatThrownBy(() -> execute(owner, statement))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining(message);
            assertThat(count(owner, "ledger_entries")).isPositive();
        }
    }

    @Test
    void shouldLetTheWriterRoleCopyDirectlyButStillNotChangeAnything() throws SQLException {
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            execute(writer, "SET ROLE " + Migrations.WRITER_ROLE);

            assertThat(single(writer, "SELECT row_security_active('ledger_entries')")).isEqualTo("f");
            insertEntries(writer, "hooli", 2);
            writer.commit();
            assertThatThrownBy(() -> execute(writer, "DELETE FROM ledger_entries WHERE tenant_id = 'hooli'"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void shouldKeepTheLoginUserItselfSubjectToRowSecurity() throws SQLException {
        // BYPASSRLS is not inherited: only a session that SET ROLEs to the writer bypasses, which is what the sink does.
        try (Connection writer = db.writer()) {
            assertThat(single(writer, "SELECT row_security_active('ledger_entries')")).isEqualTo("t");
        }
    }

    private static String single(Connection connection, String query) throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static List<String> partitions() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection owner = db.superuser(); Statement sql = owner.createStatement(); ResultSet rows = sql.executeQuery(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        + "WHERE i.inhparent = 'ledger_entries'::regclass ORDER BY 1")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    private static String month(int monthsFromNow) {
        YearMonth month = YearMonth.now(ZoneOffset.UTC).plusMonths(monthsFromNow);
        return String.format("ledger_entries_y%04dm%02d", month.getYear(), month.getMonthValue());
    }

    @Test
    void shouldPartitionTheAcceptanceWindowAndThreeMonthsAheadPlusADefault() throws SQLException {
        YearMonth oldestAccepted = YearMonth.from(Instant.now().minus(Duration.ofDays(35)).atZone(ZoneOffset.UTC));
        long back = ChronoUnit.MONTHS.between(oldestAccepted, YearMonth.now(ZoneOffset.UTC));

        assertThat(partitions()).contains("ledger_entries_default", month((int) -back), month(0), month(1), month(2),
                month(3));
    }

    @Test
    void shouldRouteEachRowToTheMonthItOccurredIn() throws SQLException {
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            ChainHead head = ChainHead.EMPTY;
            List<LedgerEntry> entries = new ArrayList<>();
            for (int daysAgo : new int[] {31, 0}) {
                LedgerEntry entry = head.append(Fixtures.content("routed", "routed-" + daysAgo, Fixtures.recent(daysAgo),
                        "gpt-4o", 0, daysAgo));
                entries.add(entry);
                head = ChainHead.of(entry);
            }
            LedgerCopyWriter.append(writer, entries);
            writer.commit();
        }
        try (Connection owner = db.superuser()) {
            assertThat(single(owner, "SELECT string_agg(tableoid::regclass::text, ',' ORDER BY seq) FROM ledger_entries "
                    + "WHERE tenant_id = 'routed'")).isEqualTo(month(-1) + "," + month(0));
        }
    }

    @Test
    void shouldRefuseTheSameEventReDeliveredWithItsOccurredAtInItsMonthsPartition() throws SQLException {
        Instant occurred = Fixtures.recent(0);
        LedgerEntry first = ChainHead.EMPTY.append(Fixtures.content("redelivered", "evt-1", occurred, "gpt-4o", 0, 0));
        LedgerEntry again = ChainHead.of(first).append(
                Fixtures.content("redelivered", "evt-1", occurred, "gpt-4o", 0, 1));
        try (Connection owner = db.superuser()) {
            owner.setAutoCommit(false);
            LedgerCopyWriter.append(owner, List.of(first));
            owner.commit();

            assertThatThrownBy(() -> LedgerCopyWriter.append(owner, List.of(again)))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining(month(0) + "_event_unique")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
            owner.rollback();
        }
    }

    @Test
    void shouldGrantNoRoleAnythingOnAPartitionAndEnableRowSecurityOnEach() throws SQLException {
        List<String> partitions = partitions();
        assertThat(partitions).hasSizeGreaterThan(4);
        for (String partition : partitions) {
            try (Connection writer = db.writer(); Connection reader = db.reader()) {
                execute(writer, "SET ROLE " + Migrations.WRITER_ROLE); // the sink's session, exempt from RLS
                for (String statement : List.of("SELECT count(*) FROM %s", "INSERT INTO %s SELECT * FROM %<s",
                        "UPDATE %s SET cost_usd = 0", "DELETE FROM %s", "TRUNCATE %s")) {
                    for (Connection role : List.of(writer, reader)) {
                        assertThatThrownBy(() -> execute(role, String.format(statement, partition)))
                                .as("%s on %s", statement, partition)
                                .isInstanceOf(SQLException.class)
                                .hasMessageContaining("permission denied for table " + partition);
                    }
                }
            }
            try (Connection owner = db.superuser()) {
                assertThat(single(owner, "SELECT relrowsecurity FROM pg_class WHERE relname = '" + partition + "'"))
                        .as("row-level security on %s", partition).isEqualTo("t");
                assertThat(single(owner, "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a "
                        + "WHERE c.relname = '" + partition + "' AND a.grantee <> c.relowner"))
                        .as("grants on %s", partition).isEqualTo("0");
            }
        }
    }

    @Test
    void shouldRefuseChangesToEveryPartitionEvenToTheOwner() throws SQLException {
        for (String partition : partitions()) {
            try (Connection owner = db.superuser()) {
                owner.setAutoCommit(false);
                for (String statement : List.of("UPDATE %s SET cost_usd = 0", "DELETE FROM %s", "TRUNCATE %s")) {
                    // an UPDATE or DELETE of an empty partition fires no row trigger: give each a row first
                    insertOneInto(owner, partition);
                    String op = statement.split(" ")[0];
                    assertThatThrownBy(() -> execute(owner, String.format(statement, partition)))
                            .as("%s on %s", statement, partition)
                            .isInstanceOf(SQLException.class)
                            .hasMessageContaining("ledger_entries is append-only: " + op + " refused (partition "
                                    + partition + ")");
                    owner.rollback();
                }
            }
        }
    }

    /** A row (left uncommitted) in {@code partition}: in its month, or in 2001 for the default partition. */
    private static void insertOneInto(Connection owner, String partition) throws SQLException {
        Instant at = Instant.parse("2001-01-01T00:00:00Z");
        if (!partition.equals("ledger_entries_default")) {
            String yearMonth = partition.substring("ledger_entries_y".length()).replace('m', '-');
            at = YearMonth.parse(yearMonth).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(1);
        }
        LedgerCopyWriter.append(owner, List.of(ChainHead.EMPTY.append(
                Fixtures.content("probe-" + partition, "probe", at, "gpt-4o", 0, 0))));
    }

    @Test
    void shouldLetTheWriterCreatePartitionsAheadOnlyThroughTheFunction() throws SQLException {
        try (Connection writer = db.writer(); Connection reader = db.reader()) {
            execute(writer, "SET ROLE " + Migrations.WRITER_ROLE);
            assertThatThrownBy(() -> execute(writer, "CREATE TABLE " + month(7) + " PARTITION OF ledger_entries "
                    + "FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')"))
                    .isInstanceOf(SQLException.class);

            assertThat(single(writer, "SELECT budgetguard_ensure_ledger_partitions(5)")).isEqualTo("2");
            assertThat(single(writer, "SELECT budgetguard_ensure_ledger_partitions(5)")).as("idempotent").isEqualTo("0");
            assertThat(partitions()).contains(month(4), month(5)).doesNotContain(month(6));

            assertThatThrownBy(() -> execute(reader, "SELECT budgetguard_ensure_ledger_partitions(6)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied for function");
            assertThatThrownBy(() -> execute(writer, "SELECT budgetguard_create_ledger_partition(now()::timestamp)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied for function");
        }
        try (Connection owner = db.superuser()) {
            String created = month(5);
            assertThat(single(owner, "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger "
                    + "WHERE tgrelid = '" + created + "'::regclass"))
                    .isEqualTo("ledger_entries_refuse_update_delete," + created + "_refuse_truncate");
            assertThat(single(owner, "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class "
                    + "WHERE oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = '" + created + "'::regclass)"))
                    .isEqualTo(created + "_event_unique," + created + "_pkey");
            assertThatThrownBy(() -> execute(owner, "TRUNCATE " + created))
                    .hasMessageContaining("ledger_entries is append-only: TRUNCATE refused");
        }
    }

    @Test
    void shouldLeaveAMonthInTheDefaultPartitionOnceItHoldsRowsOfThatMonth() throws SQLException {
        String far = month(20);
        Instant inFarMonth = YearMonth.now(ZoneOffset.UTC).plusMonths(20).atDay(2).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        try (Connection owner = db.superuser()) {
            owner.setAutoCommit(false);
            LedgerCopyWriter.append(owner, List.of(ChainHead.EMPTY.append(
                    Fixtures.content("far-ahead", "far", inFarMonth, "gpt-4o", 0, 0))));
            owner.commit();
            owner.setAutoCommit(true);

            try (Statement sql = owner.createStatement();
                    ResultSet created = sql.executeQuery("SELECT budgetguard_create_ledger_partition('"
                            + inFarMonth.toString().replace('T', ' ').replace("Z", "") + "')")) {
                created.next();
                assertThat(created.getBoolean(1)).isFalse();
                java.sql.SQLWarning warning = sql.getWarnings();
                assertThat(warning == null ? "no warning" : warning.getMessage()).contains("Partition " + far + " not created: "
                        + "ledger_entries_default holds rows of that month");
            }
            assertThat(partitions()).doesNotContain(far);
            assertThat(single(owner, "SELECT tableoid::regclass FROM ledger_entries WHERE tenant_id = 'far-ahead'"))
                    .isEqualTo("ledger_entries_default");
        }
    }

    @Test
    void shouldLetOnlyTheWriterMoveAChainHeadAndOnlyForward() throws SQLException {
        try (Connection writer = db.writer(); Connection reader = db.reader(); Connection owner = db.superuser()) {
            execute(writer, "INSERT INTO ledger_chain_heads VALUES ('heads', 1, '\\x" + "00".repeat(32) + "')");
            execute(writer, "UPDATE ledger_chain_heads SET seq = 2 WHERE tenant_id = 'heads'");

            assertThatThrownBy(() -> execute(writer, "UPDATE ledger_chain_heads SET seq = 1 WHERE tenant_id = 'heads'"))
                    .hasMessageContaining("ledger_chain_heads only moves forward");
            assertThatThrownBy(() -> execute(writer, "DELETE FROM ledger_chain_heads"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> execute(owner, "DELETE FROM ledger_chain_heads"))
                    .hasMessageContaining("ledger_chain_heads is append-only: DELETE refused");
            assertThatThrownBy(() -> execute(owner, "TRUNCATE ledger_chain_heads"))
                    .hasMessageContaining("ledger_chain_heads is append-only: TRUNCATE refused");
            assertThatThrownBy(() -> execute(reader, "SELECT * FROM ledger_chain_heads"))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void shouldLetTheWriterMaintainSinkOffsets() throws SQLException {
        try (Connection writer = db.writer()) {
            execute(writer, "INSERT INTO sink_offsets VALUES ('g', 't', 0, 10) "
                    + "ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset");
            execute(writer, "UPDATE sink_offsets SET next_offset = 20 WHERE consumer_group = 'g'");

            assertThat(count(writer, "sink_offsets WHERE consumer_group = 'g' AND next_offset = 20")).isEqualTo(1);
        }
    }

    @Test
    void shouldShowTheReaderOnlyTheTenantOfItsTransaction() throws SQLException {
        try (Connection reader = db.reader()) {
            reader.setAutoCommit(false);
            execute(reader, "SET LOCAL budgetguard.tenant_id = 'acme'");

            assertThat(count(reader, "ledger_entries")).isEqualTo(2);
            assertThat(count(reader, "ledger_entries WHERE tenant_id <> 'acme'")).isZero();
            assertThat(count(reader, "ledger_checkpoints")).isEqualTo(1);
            assertThat(count(reader, "audit_log")).isEqualTo(1);
            reader.commit();
        }
    }

    @Test
    void shouldShowTheReaderNothingWithoutATenant() throws SQLException {
        try (Connection reader = db.reader()) {
            assertThat(count(reader, "ledger_entries")).isZero();
            assertThat(count(reader, "audit_log")).isZero();
        }
    }

    @Test
    void shouldShowTheReaderNothingOnceItsTenantSettingHasEnded() throws SQLException {
        try (Connection reader = db.reader()) {
            reader.setAutoCommit(false);
            execute(reader, "SET LOCAL budgetguard.tenant_id = 'acme'");
            reader.commit();
            reader.setAutoCommit(true);

            // The setting now reads as '' — it must not match the platform-wide audit rows (tenant_id '').
            assertThat(count(reader, "audit_log")).isZero();
            assertThat(count(reader, "ledger_entries")).isZero();
        }
    }

    @Test
    void shouldDenyTheReaderInserts() throws SQLException {
        try (Connection reader = db.reader()) {
            assertThatThrownBy(() -> execute(reader, "INSERT INTO sink_offsets VALUES ('g', 't', 1, 1)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            reader.setAutoCommit(false);
            assertThatThrownBy(() -> insertEntries(reader, "acme-reader", 1))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void shouldRefuseNullsAndShortHashes() throws SQLException {
        try (Connection owner = db.superuser()) {
            assertThatThrownBy(() -> execute(owner, "INSERT INTO ledger_entries (tenant_id, seq, event_id) "
                    + "VALUES ('acme', 99, 'x')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("null value");
            assertThatThrownBy(() -> execute(owner, "INSERT INTO ledger_checkpoints VALUES ('acme', 2, '\\x00', now(), "
                    + "'vault:v1:AAAA', 1)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("check constraint");
        }
    }

    @Test
    void shouldCreateAPlainLoginInTheRoleWithOnlyAScramVerifierOfItsPassword() throws SQLException {
        assertThat(storedVerifier(db.writerUser())).startsWith("SCRAM-SHA-256$").doesNotContain(db.writerPassword());
        try (Connection owner = db.superuser();
                java.sql.PreparedStatement query = owner.prepareStatement(
                        "SELECT rolcanlogin, rolsuper, rolbypassrls, pg_has_role(rolname, ?, 'MEMBER') FROM pg_roles WHERE rolname = ?")) {
            query.setString(1, Migrations.WRITER_ROLE);
            query.setString(2, db.writerUser());
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getBoolean(1)).as("can log in").isTrue();
                assertThat(rows.getBoolean(2)).as("superuser").isFalse();
                assertThat(rows.getBoolean(3)).as("bypasses RLS").isFalse();
                assertThat(rows.getBoolean(4)).as("member of the writer role").isTrue();
            }
        }
    }

    @Test
    void shouldReplaceThePasswordWhenGrantingAnExistingLoginAgain() throws SQLException {
        // The embedded server trusts local connections, so the change is checked on the stored verifier.
        String before = storedVerifier(db.readerUser());
        Migrations.grantLogin(db.url(), db.superuserName(), db.superuserPassword(), Migrations.READER_ROLE,
                db.readerUser(), "another-password-0123456789");

        assertThat(storedVerifier(db.readerUser())).startsWith("SCRAM-SHA-256$").isNotEqualTo(before);
    }

    private static String storedVerifier(String user) throws SQLException {
        try (Connection owner = db.superuser();
                java.sql.PreparedStatement query = owner.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            query.setString(1, user);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"Robert", "bob; DROP TABLE ledger_entries", "1abc", "a-b", "", "pg_monitor",
        "budgetguard_writer", "x\"y"})
    void shouldRefuseAnInvalidOrReservedLoginUserName(String user) {
        assertThatThrownBy(() -> Migrations.grantLogin(db.url(), db.superuserName(), db.superuserPassword(),
                Migrations.WRITER_ROLE, user, "a-long-enough-password"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseAnUnknownRole() {
        assertThatThrownBy(() -> Migrations.grantLogin(db.url(), db.superuserName(), db.superuserPassword(),
                "pg_write_all_data", "someone", "a-long-enough-password"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown role");
    }

    @Test
    void shouldRefuseAShortPasswordWithoutEchoingIt() {
        assertThatThrownBy(() -> Migrations.grantLogin(db.url(), db.superuserName(), db.superuserPassword(),
                Migrations.WRITER_ROLE, "someone", "s3cr3t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cr3t");
    }
}
