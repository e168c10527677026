package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.ChainProgress;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointPolicy;
import io.budgetguard.ledger.checkpoint.CheckpointPublisher;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.Checkpointer;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.ledger.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedStack.class)
class CheckpointSealerTest {

    private static LedgerDatabase db;
    private static LocalKeyService keys;

    @TempDir
    static Path keyDir;

    private final List<Checkpoint> published = new ArrayList<>();
    private MutableClock clock;
    private CheckpointSealer sealer;
    private Connection writer;

    @BeforeAll
    static void createDatabase() {
        db = LedgerDatabase.create("sealer");
        keys = LocalKeyService.open(keyDir, "test");
    }

    @BeforeEach
    void connect() throws SQLException {
        clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        CheckpointPublisher recording = new CheckpointPublisher() {
            @Override
            public void publish(Collection<Checkpoint> checkpoints) {
                published.addAll(checkpoints);
            }

            @Override
            public void close() {}
        };
        sealer = new CheckpointSealer(new Checkpointer(new CheckpointSigner(keys, clock),
                new CheckpointPolicy(1000, Duration.ofSeconds(10)), clock), recording);
        writer = db.writer();
        writer.setAutoCommit(false);
    }

    @AfterEach
    void close() throws SQLException {
        writer.close();
    }

    private ChainHead appendUnsigned(String tenant, int count) throws SQLException {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (int i = 1; i <= count; i++) {
            LedgerEntry entry = head.append(Fixtures.content(tenant, "evt-" + i));
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        LedgerCopyWriter.append(writer, entries);
        ChainFence.advance(writer, Map.of(tenant, new ChainFence.Move(ChainHead.EMPTY, head))); // as the sink does
        writer.commit();
        return head;
    }

    private List<Long> checkpointSeqs(String chainId) throws SQLException {
        List<Long> seqs = new ArrayList<>();
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT seq FROM ledger_checkpoints WHERE tenant_id = ? ORDER BY seq")) {
            query.setString(1, chainId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    seqs.add(rows.getLong(1));
                }
            }
        }
        return seqs;
    }

    @Test
    void shouldSignEveryTailAnEarlierRunLeftUnsignedAndRepublishTheNewest() throws SQLException {
        String acme = SharedStack.unique("acme");
        String globex = SharedStack.unique("globex");
        appendUnsigned(acme, 3);
        ChainHead globexHead = appendUnsigned(globex, 2);

        sealer.sealUnsigned(writer);

        assertThat(checkpointSeqs(acme)).containsExactly(3L);
        assertThat(checkpointSeqs(globex)).containsExactly(2L);
        assertThat(published).filteredOn(c -> c.chainId().equals(globex)).isNotEmpty()
                .allSatisfy(c -> assertThat(c.headHash()).isEqualTo(globexHead.hash()));
    }

    @Test
    void shouldLeaveASignedHeadAlone() throws SQLException {
        String acme = SharedStack.unique("acme");
        appendUnsigned(acme, 3);
        sealer.sealUnsigned(writer);

        sealer.sealUnsigned(writer);

        assertThat(checkpointSeqs(acme)).containsExactly(3L);
    }

    @Test
    void shouldSignACachedTailOnlyOnceItIsTenSecondsOld() throws SQLException {
        String acme = SharedStack.unique("acme");
        ChainHead head = appendUnsigned(acme, 4);
        ChainHeadCache cache = new ChainHeadCache();
        cache.put(0, acme, new ChainHeadCache.Tracked(head, new ChainProgress(4, 0, clock.instant())));

        clock.advance(Duration.ofSeconds(9));
        assertThat(sealer.sealDue(writer, cache)).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(sealer.sealDue(writer, cache)).isEqualTo(1);

        assertThat(checkpointSeqs(acme)).containsExactly(4L);
        assertThat(cache.get(acme)).hasValueSatisfying(c -> assertThat(c.progress().unsigned()).isFalse());
        assertThat(sealer.sealDue(writer, cache)).isZero();
    }

    @Test
    void shouldSignAnAuditTailLeftUnsignedUnderAuditTenant() throws SQLException {
        String acme = SharedStack.unique("acme");
        AuditAppender audit = new AuditAppender(new Checkpointer(new CheckpointSigner(keys, clock),
                new CheckpointPolicy(1000, Duration.ofSeconds(10)), clock));
        audit.append(writer, List.of(new io.budgetguard.ledger.audit.AuditRecord(acme, clock.instant(), "admin",
                "tenant.created", "tenant/" + acme, "{}")));
        writer.commit();

        sealer.sealUnsigned(writer);

        assertThat(checkpointSeqs("audit:" + acme)).containsExactly(1L);
    }
}
