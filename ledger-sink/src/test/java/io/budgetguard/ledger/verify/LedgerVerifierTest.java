package io.budgetguard.ledger.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.ledger.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each tampering a superuser could do behind the application's back is caught and named. The tenant's chain has five
 * entries with signed checkpoints at seq 2 and 5; the other tenant's three entries are signed at seq 3.
 */
@ExtendWith(SharedStack.class)
class LedgerVerifierTest {

    private static final String MODEL = "model \"quoted\", comma\ttab\nnewline \\ é 模型 😀";

    private static LedgerDatabase db;
    private static LocalKeyService keys;
    private static Map<Integer, byte[]> publicKeys;

    @TempDir
    static Path keyDir;

    private String tenant;
    private String other;
    private List<LedgerEntry> written;

    @BeforeAll
    static void createDatabase() {
        db = LedgerDatabase.create("verify");
        keys = LocalKeyService.open(keyDir, "test");
        keys.createKey(CheckpointSigner.KEY_NAME, LocalKeyService.KeyType.ED25519);
        publicKeys = keys.publicKeys(CheckpointSigner.KEY_NAME);
    }

    @BeforeEach
    void appendTwoSignedChains() throws SQLException {
        tenant = SharedStack.unique("acme");
        other = SharedStack.unique("globex");
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            written = append(writer, tenant, 5, Set.of(2L, 5L));
            append(writer, other, 3, Set.of(3L));
            writer.commit();
        }
    }

    private static List<LedgerEntry> chain(String tenant, List<EntryContent> contents) {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (EntryContent content : contents) {
            LedgerEntry entry = head.append(content);
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        return entries;
    }

    private static List<LedgerEntry> append(Connection connection, String tenant, int count, Set<Long> signedAt)
            throws SQLException {
        List<EntryContent> contents = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            // Awkward but valid values: the stored text must be exactly the hashed text.
            contents.add(Fixtures.content(tenant, "evt-" + i, MODEL, 0, i));
        }
        List<LedgerEntry> entries = chain(tenant, contents);
        LedgerCopyWriter.append(connection, entries);
        CheckpointSigner signer = new CheckpointSigner(keys, new MutableClock(Instant.parse("2025-03-01T12:00:10Z")));
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (LedgerEntry entry : entries) {
            if (signedAt.contains(entry.seq())) {
                checkpoints.add(signer.sign(tenant, ChainHead.of(entry)));
            }
        }
        CheckpointStore.insert(connection, checkpoints);
        return entries;
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

    /** Replaces the tenant's rows by {@code entries}, as an attacker who knows the hashing rules would. */
    private void rewrite(List<LedgerEntry> entries) throws SQLException {
        try (Connection superuser = db.superuser(); Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL session_replication_role = replica");
            sql.execute("DELETE FROM ledger_entries WHERE tenant_id = '" + tenant + "'");
            LedgerCopyWriter.append(superuser, entries);
            superuser.commit();
        }
    }

    private String where(long seq) {
        return " WHERE tenant_id = '" + tenant + "' AND seq = " + seq;
    }

    private VerificationReport verify(Optional<String> only) throws SQLException {
        try (Connection superuser = db.superuser()) {
            return new LedgerVerifier(superuser, publicKeys).verify(only);
        }
    }

    private ChainBreak firstBreak() throws SQLException {
        VerificationReport report = verify(Optional.of(tenant));
        assertThat(report.ok()).isFalse();
        return report.firstBreak().orElseThrow();
    }

    @Test
    void shouldPassAnUntouchedLedgerWithEveryCheckpointVerified() throws SQLException {
        VerificationReport report = verify(Optional.empty());

        // Other tests tamper with their own tenants in the same database: look at this test's two.
        assertThat(report.tenants()).filteredOn(chain -> Set.of(tenant, other).contains(chain.chainId()))
                .hasSize(2).allSatisfy(chain -> assertThat(chain.ok()).isTrue());
        assertThat(report.breaks()).extracting(ChainBreak::chainId).doesNotContain(tenant, other);
        assertThat(report.signaturesChecked()).isTrue();
    }

    @Test
    void shouldReportTheVerifiedHeadAndCheckpointsOfATenant() throws SQLException {
        VerificationReport report = verify(Optional.of(tenant));

        assertThat(report.tenants()).singleElement().satisfies(chain -> {
            assertThat(chain.chainId()).isEqualTo(tenant);
            assertThat(chain.entriesVerified()).isEqualTo(5);
            assertThat(chain.verifiedHead().seq()).isEqualTo(5);
            assertThat(chain.checkpointsVerified()).isEqualTo(2);
            assertThat(chain.signedSeq()).isEqualTo(5);
            assertThat(chain.unsignedEntries()).isZero();
        });
        assertThat(report.entriesVerified()).isEqualTo(5);
    }

    @Test
    void shouldNameTheEntryWhoseCostWasChanged() throws SQLException {
        tamper("UPDATE ledger_entries SET cost_usd = 0" + where(3));

        ChainBreak broken = firstBreak();

        assertThat(broken.chainId()).isEqualTo(tenant);
        assertThat(broken.seq()).isEqualTo(3);
        assertThat(broken.label()).isEqualTo("evt-3");
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.ENTRY_HASH_MISMATCH);
        assertThat(verify(Optional.of(tenant)).tenants().get(0).verifiedHead().seq()).isEqualTo(2);
    }

    @Test
    void shouldNameTheEntryAfterADeletedRow() throws SQLException {
        tamper("DELETE FROM ledger_entries" + where(2));

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(3);
        assertThat(broken.label()).isEqualTo("evt-3");
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.SEQ_GAP);
        assertThat(broken.detail()).contains("seq 2 is missing");
    }

    @Test
    void shouldNameARowInsertedWithCopiedHashes() throws SQLException {
        tamper("UPDATE ledger_entries SET seq = seq + 1000 WHERE tenant_id = '" + tenant + "' AND seq >= 3",
                "UPDATE ledger_entries SET seq = seq - 999 WHERE tenant_id = '" + tenant + "' AND seq >= 1000",
                "INSERT INTO ledger_entries SELECT tenant_id, 3, 'forged', api_key_id, occurred_at, received_at, "
                        + "recorded_at, provider, model, input_tokens, cached_input_tokens, cache_write_tokens, "
                        + "output_tokens, reasoning_tokens, cost_usd, price_version, end_user_ct, metadata_ct, "
                        + "source_partition, source_offset, prev_hash, entry_hash FROM ledger_entries" + where(2));

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(3);
        assertThat(broken.label()).isEqualTo("forged");
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.PREV_HASH_MISMATCH);
    }

    @Test
    void shouldNameTheEntryAfterARowInsertedWithCorrectHashes() throws SQLException {
        LedgerEntry forged = LedgerEntry.append(Fixtures.content(tenant, "forged", MODEL, 0, 99), 3,
                written.get(1).entryHash());
        tamper("UPDATE ledger_entries SET seq = seq + 1000 WHERE tenant_id = '" + tenant + "' AND seq >= 3",
                "UPDATE ledger_entries SET seq = seq - 999 WHERE tenant_id = '" + tenant + "' AND seq >= 1000");
        try (Connection superuser = db.superuser()) {
            superuser.setAutoCommit(false);
            LedgerCopyWriter.append(superuser, List.of(forged));
            superuser.commit();
        }

        ChainBreak broken = firstBreak();

        // the forged entry links to seq 2, so the chain breaks where it no longer links: at the entry it pushed down
        assertThat(broken.seq()).isEqualTo(4);
        assertThat(broken.label()).isEqualTo("evt-3");
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.PREV_HASH_MISMATCH);
        assertThat(broken.detail()).contains("inserted");
    }

    @Test
    void shouldCatchASeqWrittenTwiceInDifferentMonthsPartitions() throws SQLException {
        // A writer that bypassed the chain-head fence: its seq 3 is correctly chained after seq 2 and lands in this
        // month's partition, where nothing refuses it (the original seq 3 is in another partition). No tampering
        // rights needed: the writer role may INSERT.
        LedgerEntry fork = LedgerEntry.append(Fixtures.content(tenant, "fork", Fixtures.recent(0), MODEL, 0, 99), 3,
                written.get(1).entryHash());
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            LedgerCopyWriter.append(writer, List.of(fork));
            writer.commit();
        }

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(3);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.SEQ_GAP);
        assertThat(broken.detail()).contains("seq 3 appears twice");
    }

    @Test
    void shouldNameTheFirstOfTwoSwappedRows() throws SQLException {
        tamper("UPDATE ledger_entries SET seq = 1000" + where(3),
                "UPDATE ledger_entries SET seq = 3" + where(4),
                "UPDATE ledger_entries SET seq = 4" + where(1000));

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(3);
        assertThat(broken.label()).isEqualTo("evt-4");
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.PREV_HASH_MISMATCH);
    }

    @Test
    void shouldCatchAChainRewrittenWithRecomputedHashesOnlyThroughItsCheckpoints() throws SQLException {
        List<EntryContent> contents = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            contents.add(Fixtures.content(tenant, "evt-" + i, MODEL, 0, i));
        }
        EntryContent original = contents.get(3);
        contents.set(3, new EntryContent(tenant, "evt-4", original.apiKeyId(), original.occurredAt(),
                original.receivedAt(), original.provider(), MODEL, 1000, 200, 0, 300, 0, new BigDecimal("0.000000001"),
                original.priceVersion(), "", "", 0, 4));
        rewrite(chain(tenant, contents));

        VerificationReport report = verify(Optional.of(tenant));

        // every entry's hash and link holds: only the checkpoint signed at seq 5 tells
        assertThat(report.tenants().get(0).entriesVerified()).isEqualTo(5);
        ChainBreak broken = report.firstBreak().orElseThrow();
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_MISMATCH);
        assertThat(broken.seq()).isEqualTo(5);
        assertThat(broken.label()).isEqualTo("evt-5");
        assertThat(broken.detail()).contains("after seq 2 (the previous checkpoint) was rewritten");
    }

    @Test
    void shouldCatchARewrittenCheckpointByItsSignature() throws SQLException {
        tamper("UPDATE ledger_checkpoints SET head_hash = sha256(head_hash) WHERE tenant_id = '" + tenant
                + "' AND seq = 2");

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(2);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_SIGNATURE_INVALID);
    }

    @Test
    void shouldRefuseACheckpointSignedByAnotherKey(@TempDir Path otherKeys) throws SQLException {
        LocalKeyService attacker = LocalKeyService.open(otherKeys, "test");
        Checkpoint forged = new CheckpointSigner(attacker, new MutableClock(Instant.now()))
                .sign(tenant, ChainHead.of(written.get(3)));
        try (Connection superuser = db.superuser()) {
            superuser.setAutoCommit(false);
            CheckpointStore.insert(superuser, List.of(forged));
            superuser.commit();
        }

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(4);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_SIGNATURE_INVALID);
    }

    @Test
    void shouldCatchADeletedLastRowThroughTheNewestCheckpoint() throws SQLException {
        tamper("DELETE FROM ledger_entries" + where(5));

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(5);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.CHAIN_TRUNCATED);
        assertThat(broken.detail()).contains("ends at seq 4");
    }

    @Test
    void shouldCatchAChainWhoseEntriesWereAllDeleted() throws SQLException {
        tamper("DELETE FROM ledger_entries WHERE tenant_id = '" + tenant + "'");

        ChainBreak broken = firstBreak();

        assertThat(broken.seq()).isEqualTo(1);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.CHAIN_TRUNCATED);
    }

    @Test
    void shouldLeaveSignaturesUncheckedWithoutPublicKeys() throws SQLException {
        tamper("UPDATE ledger_checkpoints SET signature = 'vault:v1:AAAA' WHERE tenant_id = '" + tenant + "'");

        try (Connection superuser = db.superuser()) {
            VerificationReport report = new LedgerVerifier(superuser).verify(Optional.of(tenant));

            assertThat(report.ok()).isTrue();
            assertThat(report.signaturesChecked()).isFalse();
        }
    }

    @Test
    void shouldKeepOtherTenantsVerifiedWhenOneIsBroken() throws SQLException {
        tamper("UPDATE ledger_entries SET model = 'cheaper'" + where(1));

        VerificationReport report = verify(Optional.empty());

        assertThat(report.breaks()).extracting(ChainBreak::chainId).contains(tenant).doesNotContain(other);
        assertThat(report.tenants()).filteredOn(chain -> chain.chainId().equals(other))
                .singleElement().satisfies(chain -> assertThat(chain.ok()).isTrue());
    }

    @Test
    void shouldVerifyOnlyItsOwnTenantAsTheReader() throws SQLException {
        try (Connection reader = db.reader()) {
            VerificationReport report = new LedgerVerifier(reader, publicKeys).verify(Optional.of(tenant));

            assertThat(report.ok()).isTrue();
            assertThat(report.tenants()).singleElement().satisfies(chain -> {
                assertThat(chain.chainId()).isEqualTo(tenant);
                assertThat(chain.entriesVerified()).isEqualTo(5);
                assertThat(chain.checkpointsVerified()).isEqualTo(2);
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
        tamper("UPDATE ledger_entries SET cost_usd = 1" + where(2));

        String line = firstBreak().describe();

        assertThat(line).startsWith("tenant " + tenant + " seq 2 (event evt-2): ENTRY_HASH_MISMATCH").doesNotContain("\n");
    }
}
