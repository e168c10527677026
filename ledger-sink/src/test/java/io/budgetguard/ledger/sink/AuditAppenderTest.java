package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.audit.AuditRecord;
import io.budgetguard.ledger.checkpoint.ChainIds;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointPolicy;
import io.budgetguard.ledger.checkpoint.CheckpointPublisher;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.Checkpointer;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.ledger.testing.MutableClock;
import io.budgetguard.ledger.verify.ChainBreak;
import io.budgetguard.ledger.verify.LedgerVerifier;
import io.budgetguard.ledger.verify.VerificationReport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedStack.class)
class AuditAppenderTest {

    private static LedgerDatabase db;
    private static LocalKeyService keys;

    @TempDir
    static Path keyDir;

    private MutableClock clock;
    private Checkpointer checkpointer;
    private String tenant;

    @BeforeAll
    static void createDatabase() {
        db = LedgerDatabase.create("audit");
        keys = LocalKeyService.open(keyDir, "test");
        keys.createKey(CheckpointSigner.KEY_NAME, LocalKeyService.KeyType.ED25519);
    }

    @BeforeEach
    void setUp() {
        tenant = SharedStack.unique("acme");
        clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        checkpointer = new Checkpointer(new CheckpointSigner(keys, clock),
                new CheckpointPolicy(1000, Duration.ofSeconds(10)), clock);
    }

    private AuditRecord record(String action) {
        return new AuditRecord(tenant, clock.instant(), "admin", action, "apikey/k0123456789abcde",
                "{\"role\":\"viewer\"}");
    }

    private AuditAppender.Appended append(AuditAppender appender, AuditRecord... records) throws SQLException {
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            AuditAppender.Appended appended = appender.append(writer, List.of(records));
            io.budgetguard.ledger.checkpoint.CheckpointStore.insert(writer, appended.checkpoints());
            writer.commit();
            appender.committed(appended);
            return appended;
        }
    }

    private VerificationReport verify() throws SQLException {
        try (Connection superuser = db.superuser()) {
            return new LedgerVerifier(superuser, keys.publicKeys(CheckpointSigner.KEY_NAME)).verify(Optional.of(tenant));
        }
    }

    @Test
    void shouldChainATenantsAuditEntriesAcrossBatches() throws SQLException {
        AuditAppender appender = new AuditAppender(checkpointer);
        append(appender, record("apikey.created"), record("budget.upserted"));
        append(appender, record("apikey.revoked"));

        VerificationReport report = verify();

        assertThat(report.ok()).as("%s", report.firstBreak()).isTrue();
        assertThat(report.auditChains()).singleElement().satisfies(chain -> {
            assertThat(chain.chainId()).isEqualTo(ChainIds.audit(tenant));
            assertThat(chain.entriesVerified()).isEqualTo(3);
        });
    }

    @Test
    void shouldKeepOneChainWhenTwoInstancesAppendToIt() throws Exception {
        AuditAppender first = new AuditAppender(checkpointer);
        AuditAppender second = new AuditAppender(checkpointer);
        try (Connection a = db.writer(); Connection b = db.writer()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            first.append(a, List.of(record("apikey.created")));
            // b waits for a's chain lock, then reads the head a committed
            CompletableFuture<AuditAppender.Appended> waiting =
                    CompletableFuture.supplyAsync(() -> appendQuietly(second, b, record("budget.upserted")));
            a.commit();
            waiting.get(30, TimeUnit.SECONDS);
            b.commit();
        }

        VerificationReport report = verify();

        assertThat(report.ok()).as("%s", report.firstBreak()).isTrue();
        assertThat(report.auditEntriesVerified()).isEqualTo(2);
    }

    private static AuditAppender.Appended appendQuietly(AuditAppender appender, Connection connection,
            AuditRecord record) {
        try {
            return appender.append(connection, List.of(record));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldSignAnAuditChainUnderAuditTenantOnceItsTailIsTenSecondsOld() throws SQLException {
        AuditAppender appender = new AuditAppender(checkpointer);
        append(appender, record("apikey.created"));
        List<Checkpoint> published = new ArrayList<>();
        CheckpointSealer sealer = new CheckpointSealer(checkpointer, new CheckpointPublisher() {
            @Override
            public void publish(Collection<Checkpoint> checkpoints) {
                published.addAll(checkpoints);
            }

            @Override
            public void close() {}
        });

        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            assertThat(sealer.sealDue(writer, appender)).isZero();
            clock.advance(Duration.ofSeconds(10));
            assertThat(sealer.sealDue(writer, appender)).isEqualTo(1);
        }

        assertThat(published).singleElement().satisfies(c -> {
            assertThat(c.chainId()).isEqualTo("audit:" + tenant);
            assertThat(c.seq()).isEqualTo(1);
        });
        assertThat(verify().auditChains().get(0).checkpointsVerified()).isEqualTo(1);
        assertThat(appender.due()).isEmpty();
    }

    @Test
    void shouldCatchAChangedAuditEntry() throws SQLException {
        AuditAppender appender = new AuditAppender(checkpointer);
        append(appender, record("apikey.created"), record("apikey.revoked"));
        try (Connection superuser = db.superuser(); Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL session_replication_role = replica");
            sql.execute("UPDATE audit_log SET actor = 'k-someone-else' WHERE tenant_id = '" + tenant + "' AND seq = 2");
            superuser.commit();
        }

        ChainBreak broken = verify().firstBreak().orElseThrow();

        assertThat(broken.chainId()).isEqualTo("audit:" + tenant);
        assertThat(broken.seq()).isEqualTo(2);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.ENTRY_HASH_MISMATCH);
        assertThat(broken.describe()).startsWith("audit chain of tenant '" + tenant + "' seq 2 (apikey.revoked");
    }

    @Test
    void shouldStoreTheCanonicalArrayOfPRODUCT5() throws SQLException {
        append(new AuditAppender(checkpointer), record("apikey.created"));

        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT encode(sha256(prev_hash || convert_to(array_to_json(ARRAY['audit-v1', tenant_id, seq::text, "
                        + "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), actor, action, subject, "
                        + "details])::text, 'UTF8')), 'hex') = encode(entry_hash, 'hex') FROM audit_log "
                        + "WHERE tenant_id = ?")) {
            query.setString(1, tenant);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                assertThat(rows.getBoolean(1)).isTrue();
            }
        }
    }

    @Test
    void shouldNotFailWithoutRecords() throws SQLException {
        try (Connection writer = db.writer()) {
            assertThat(new AuditAppender(checkpointer).append(writer, List.of()).entries()).isZero();
        }
    }
}
