package io.budgetguard.ledger.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.infra.db.DatabasePasswords;
import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.verify.LedgerVerifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** V5 converts a ledger_entries that already holds rows (written as V1-V4 left the table) into monthly partitions. */
@ExtendWith(SharedStack.class)
class LedgerPartitionMigrationTest {

    private static final Instant MARCH_2025 = Instant.parse("2025-03-31T23:59:59.999Z");
    private static final Instant APRIL_2025 = Instant.parse("2025-04-01T00:00:00.000Z");

    private static String url;
    private static String reader;
    private static String readerPassword;
    private static List<LedgerEntry> acme;

    @BeforeAll
    static void migrateWithRowsInBetween() throws SQLException {
        url = SharedStack.createDatabase("partmig");
        EmbeddedPostgres postgres = SharedStack.stack().postgres();
        Flyway.configure().dataSource(url, postgres.superuser(), postgres.superuserPassword())
                .locations("classpath:db/migration").target("4").load().migrate();
        try (Connection owner = superuser()) {
            owner.setAutoCommit(false);
            acme = chain("acme", MARCH_2025, APRIL_2025, Fixtures.recent(31), Fixtures.recent(0));
            LedgerCopyWriter.append(owner, acme);
            LedgerCopyWriter.append(owner, chain("globex", APRIL_2025));
            owner.commit();
        }

        assertThat(Migrations.migrate(url, postgres.superuser(), postgres.superuserPassword())).isEqualTo(1);

        reader = "reader_" + SharedStack.uniqueSuffix();
        readerPassword = DatabasePasswords.generate();
        Migrations.grantLogin(url, postgres.superuser(), postgres.superuserPassword(), Migrations.READER_ROLE, reader,
                readerPassword);
    }

    private static List<LedgerEntry> chain(String tenant, Instant... occurred) {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (int i = 0; i < occurred.length; i++) {
            LedgerEntry entry = head.append(Fixtures.content(tenant, tenant + "-" + i, occurred[i], "gpt-4o", 0, i));
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        return entries;
    }

    private static Connection superuser() throws SQLException {
        EmbeddedPostgres postgres = SharedStack.stack().postgres();
        return DriverManager.getConnection(url, postgres.superuser(), postgres.superuserPassword());
    }

    private static List<String> strings(Connection connection, String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    @Test
    void shouldKeepEveryRowInThePartitionOfItsMonthAndTheChainsIntact() throws SQLException {
        try (Connection owner = superuser()) {
            assertThat(strings(owner, "SELECT tableoid::regclass || ':' || seq FROM ledger_entries "
                    + "WHERE tenant_id = 'acme' ORDER BY seq"))
                    .startsWith("ledger_entries_y2025m03:1", "ledger_entries_y2025m04:2")
                    .hasSize(4)
                    .noneMatch(row -> row.startsWith("ledger_entries_default"));
            assertThat(strings(owner, "SELECT relkind::text FROM pg_class WHERE relname = 'ledger_entries'"))
                    .containsExactly("p");
            assertThat(strings(owner, "SELECT count(*) FROM pg_class WHERE relname = 'ledger_entries_v1'"))
                    .containsExactly("0");
            assertThat(new LedgerVerifier(owner).verify(Optional.empty()).entriesVerified()).isEqualTo(5);
            assertThat(new LedgerVerifier(owner).verify(Optional.empty()).ok()).isTrue();
        }
    }

    @Test
    void shouldStartTheChainHeadsAtEachTenantsNewestEntry() throws SQLException {
        try (Connection owner = superuser()) {
            assertThat(strings(owner, "SELECT tenant_id || ':' || seq || ':' || encode(entry_hash, 'hex') "
                    + "FROM ledger_chain_heads ORDER BY tenant_id"))
                    .containsExactly("acme:4:" + acme.get(3).entryHash().hex(), "globex:1:"
                            + chain("globex", APRIL_2025).get(0).entryHash().hex());
        }
    }

    @Test
    void shouldRecreateTheV1PoliciesTriggersGrantsAndComments() throws SQLException {
        try (Connection owner = superuser()) {
            assertThat(strings(owner, "SELECT policyname || ':' || array_to_string(roles, ',') FROM pg_policies "
                    + "WHERE tablename = 'ledger_entries' ORDER BY 1"))
                    .containsExactly("ledger_entries_reader_own_tenant:budgetguard_reader",
                            "ledger_entries_writer_append:budgetguard_writer",
                            "ledger_entries_writer_read:budgetguard_writer");
            assertThat(strings(owner, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger_entries'::regclass "
                    + "ORDER BY 1")).containsExactly("ledger_entries_refuse_truncate",
                    "ledger_entries_refuse_update_delete");
            assertThat(strings(owner, "SELECT grantee || ':' || string_agg(privilege_type, ',' ORDER BY privilege_type) "
                    + "FROM information_schema.role_table_grants WHERE table_name = 'ledger_entries' "
                    + "AND grantee LIKE 'budgetguard_%' GROUP BY grantee ORDER BY 1"))
                    .containsExactly("budgetguard_reader:SELECT", "budgetguard_writer:INSERT,SELECT");
            assertThat(strings(owner, "SELECT count(*) FROM pg_description WHERE objoid = 'ledger_entries'::regclass"))
                    .containsExactly("4"); // the table and three columns, as V1 commented them
        }
        try (Connection tenantReader = DriverManager.getConnection(url, reader, readerPassword)) {
            tenantReader.setAutoCommit(false);
            try (Statement sql = tenantReader.createStatement()) {
                sql.execute("SET LOCAL budgetguard.tenant_id = 'globex'");
            }
            assertThat(strings(tenantReader, "SELECT tenant_id FROM ledger_entries")).containsExactly("globex");
            tenantReader.rollback();
        }
    }
}
