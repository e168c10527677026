package io.budgetguard.ledger.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedStack.class)
class LedgerVerifierTest {

    private static LedgerDatabase db;
    private String tenant;
    private String other;

    @BeforeAll
    static void createDatabase() {
        db = LedgerDatabase.create("verify");
    }

    @BeforeEach
    void appendTwoChains() throws SQLException {
        tenant = SharedStack.unique("acme");
        other = SharedStack.unique("globex");
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            append(writer, tenant, 5);
            append(writer, other, 3);
            writer.commit();
        }
    }

    private static void append(Connection connection, String tenant, int count) throws SQLException {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (int i = 1; i <= count; i++) {
            // Awkward but valid values: the stored text must be exactly the hashed text.
            LedgerEntry entry = head.append(Fixtures.content(tenant, "evt-" + i,
                    "model \"quoted\", comma\ttab\nnewline \\ é 模型 😀", 0, i));
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        LedgerCopyWriter.append(connection, entries);
    }

    /** Runs {@code sql} as the superuser with the append-only triggers bypassed, as an attacker with full rights would. */
    private static void tamper(String... statements) throws SQLException {
        try (Connection superuser = db.superuser(); Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL session_replication_role = replica");
            for (String statement : statements) {
                sql.execute(statement);
            }
            superuser.commit();
        }
    }

    private VerificationReport verify(Optional<String> only) throws SQLException {
        try (Connection superuser = db.superuser()) {
            return new LedgerVerifier(superuser).verify(only);
        }
    }

    @Test
    void shouldPassAnUntouchedLedger() throws SQLException {
        VerificationReport report = verify(Optional.empty());

        // Other tests tamper with their own tenants in the same database: look at this test's two.
        assertThat(report.tenants()).filteredOn(chain -> chain.tenantId().equals(tenant) || chain.tenantId().equals(other))
                .hasSize(2).allSatisfy(chain -> assertThat(chain.ok()).isTrue());
        assertThat(report.breaks()).extracting(ChainBreak::tenantId).doesNotContain(tenant, other);
    }

    @Test
    void shouldReportTheVerifiedHeadOfATenant() throws SQLException {
        VerificationReport report = verify(Optional.of(tenant));

        assertThat(report.tenants()).singleElement().satisfies(chain -> {
            assertThat(chain.tenantId()).isEqualTo(tenant);
            assertThat(chain.entriesVerified()).isEqualTo(5);
            assertThat(chain.verifiedHead().seq()).isEqualTo(5);
        });
        assertThat(report.entriesVerified()).isEqualTo(5);
    }

    @Test
    void shouldNameTheEntryWhoseCostWasChanged() throws SQLException {
        tamper("UPDATE ledger_entries SET cost_usd = 0 WHERE tenant_id = '" + tenant + "' AND seq = 3");

        VerificationReport report = verify(Optional.of(tenant));

        assertThat(report.ok()).isFalse();
        assertThat(report.firstBreak()).hasValueSatisfying(broken -> {
            assertThat(broken.tenantId()).isEqualTo(tenant);
            assertThat(broken.seq()).isEqualTo(3);
            assertThat(broken.eventId()).isEqualTo("evt-3");
            assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.ENTRY_HASH_MISMATCH);
        });
        assertThat(report.tenants().get(0).verifiedHead().seq()).isEqualTo(2);
    }

    @Test
    void shouldNameTheEntryAfterADeletedRow() throws SQLException {
        tamper("DELETE FROM ledger_entries WHERE tenant_id = '" + tenant + "' AND seq = 2");

        ChainBreak broken = verify(Optional.of(tenant)).firstBreak().orElseThrow();

        assertThat(broken.seq()).isEqualTo(3);
        assertThat(broken.eventId()).isEqualTo("evt-3");
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.SEQ_GAP);
        assertThat(broken.detail()).contains("seq 2 is missing");
    }

    @Test
    void shouldNoticeADeletedLastRowOnlyThroughCheckpoints() throws SQLException {
        // The chain alone cannot tell a truncated tail from a shorter ledger: this is what checkpoints are for.
        tamper("DELETE FROM ledger_entries WHERE tenant_id = '" + tenant + "' AND seq = 5");

        VerificationReport report = verify(Optional.of(tenant));

        assertThat(report.ok()).isTrue();
        assertThat(report.tenants().get(0).verifiedHead().seq()).isEqualTo(4);
    }

    @Test
    void shouldNameTheFirstOfTwoSwappedRows() throws SQLException {
        String where = " WHERE tenant_id = '" + tenant + "' AND seq = ";
        tamper("UPDATE ledger_entries SET seq = 1000" + where + "2",
                "UPDATE ledger_entries SET seq = 2" + where + "3",
                "UPDATE ledger_entries SET seq = 3" + where + "1000");

        ChainBreak broken = verify(Optional.of(tenant)).firstBreak().orElseThrow();

        assertThat(broken.seq()).isEqualTo(2);
        assertThat(broken.eventId()).isEqualTo("evt-3");
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.PREV_HASH_MISMATCH);
    }

    @Test
    void shouldNameAnEntryWhoseHashWasRecomputedByTheNextLink() throws SQLException {
        // Recomputing entry_hash after a change only moves the break to the next entry's prev_hash.
        tamper("UPDATE ledger_entries SET cost_usd = 0, entry_hash = sha256(entry_hash) WHERE tenant_id = '" + tenant
                + "' AND seq = 4");

        VerificationReport report = verify(Optional.of(tenant));

        assertThat(report.firstBreak()).hasValueSatisfying(broken -> {
            assertThat(broken.seq()).isEqualTo(4);
            assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.ENTRY_HASH_MISMATCH);
        });
    }

    @Test
    void shouldKeepOtherTenantsVerifiedWhenOneIsBroken() throws SQLException {
        tamper("UPDATE ledger_entries SET model = 'cheaper' WHERE tenant_id = '" + tenant + "' AND seq = 1");

        VerificationReport report = verify(Optional.empty());

        assertThat(report.breaks()).extracting(ChainBreak::tenantId).contains(tenant).doesNotContain(other);
        assertThat(report.tenants()).filteredOn(chain -> chain.tenantId().equals(other))
                .singleElement().satisfies(chain -> assertThat(chain.ok()).isTrue());
    }

    @Test
    void shouldVerifyOnlyItsOwnTenantAsTheReader() throws SQLException {
        try (Connection reader = db.reader()) {
            VerificationReport report = new LedgerVerifier(reader).verify(Optional.of(tenant));

            assertThat(report.ok()).isTrue();
            assertThat(report.tenants()).singleElement().satisfies(chain -> {
                assertThat(chain.tenantId()).isEqualTo(tenant);
                assertThat(chain.entriesVerified()).isEqualTo(5);
            });
        }
    }

    @Test
    void shouldLeaveTheConnectionAsItFoundIt() throws SQLException {
        try (Connection superuser = db.superuser()) {
            new LedgerVerifier(superuser).verify(Optional.of(other));

            assertThat(superuser.getAutoCommit()).isTrue();
            assertThat(superuser.isReadOnly()).isFalse();
        }
    }

    @Test
    void shouldDescribeABreakOnOneLine() throws SQLException {
        tamper("UPDATE ledger_entries SET cost_usd = 1 WHERE tenant_id = '" + tenant + "' AND seq = 2");

        String line = verify(Optional.of(tenant)).firstBreak().orElseThrow().describe();

        assertThat(line).startsWith("tenant " + tenant + " seq 2 (event evt-2): ENTRY_HASH_MISMATCH").doesNotContain("\n");
    }
}
