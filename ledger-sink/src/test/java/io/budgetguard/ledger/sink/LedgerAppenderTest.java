package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.common.keys.Ed25519Verifier;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.checkpoint.ChainProgress;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointPolicy;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.checkpoint.Checkpointer;
import io.budgetguard.ledger.testing.MutableClock;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.ledger.verify.LedgerVerifier;
import io.budgetguard.ledger.verify.VerificationReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.apache.kafka.common.TopicPartition;

@ExtendWith(SharedStack.class)
class LedgerAppenderTest {

    private static LedgerDatabase db;
    private static LocalKeyService keys;

    @TempDir
    static Path keyDir;

    private String topic;
    private String tenant;
    private Connection writer;
    private SinkOffsets offsets;
    private LedgerAppender appender;
    private ChainHeadCache cache;
    private Map<TopicPartition, Long> stored;
    private MutableClock clock;

    @BeforeAll
    static void createDatabase() {
        db = LedgerDatabase.create("appender");
        keys = LocalKeyService.open(keyDir, "test");
    }

    @BeforeEach
    void connect() throws SQLException {
        topic = SharedStack.unique("priced");
        tenant = SharedStack.unique("acme");
        writer = db.writer();
        writer.setAutoCommit(false);
        offsets = new SinkOffsets("group");
        clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        appender = appenderWith(new CheckpointPolicy(1000, Duration.ofSeconds(10)));
        cache = new ChainHeadCache();
        stored = new HashMap<>();
    }

    @AfterEach
    void close() throws SQLException {
        writer.close();
    }

    private LedgerAppender appenderWith(CheckpointPolicy policy) {
        return new LedgerAppender(offsets, new Checkpointer(new CheckpointSigner(keys, clock), policy, clock));
    }

    private TopicPartition tp(int partition) {
        return new TopicPartition(topic, partition);
    }

    private LedgerAppender.Result append(int partition, long firstOffset, String... eventIds) throws SQLException {
        List<EntryContent> contents = new ArrayList<>();
        long offset = firstOffset;
        for (String eventId : eventIds) {
            contents.add(Fixtures.content(tenant, eventId, "gpt-4o", partition, offset++));
        }
        return appender.append(writer, new SinkBatch(contents, Map.of(tp(partition), offset)), cache, stored);
    }

    private List<Long> seqs() throws SQLException {
        return column("SELECT seq FROM ledger_entries WHERE tenant_id = ? ORDER BY seq");
    }

    private List<Long> column(String sql) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(sql)) {
            query.setString(1, sql.contains("sink_offsets") ? topic : tenant);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getLong(1));
                }
            }
        }
        return values;
    }

    private VerificationReport verify() throws SQLException {
        try (Connection superuser = db.superuser()) {
            return new LedgerVerifier(superuser).verify(Optional.of(tenant));
        }
    }

    @Test
    void shouldNumberATenantsEntriesFromOneAndChainThem() throws SQLException {
        LedgerAppender.Result result = append(0, 0, "e1", "e2", "e3");

        assertThat(result.appended()).isEqualTo(3);
        assertThat(result.duplicates()).isZero();
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void shouldContinueTheChainInTheNextBatchFromTheCache() throws SQLException {
        append(0, 0, "e1", "e2");
        append(0, 2, "e3");

        assertThat(cache.get(tenant)).hasValueSatisfying(chain -> assertThat(chain.head().seq()).isEqualTo(3));
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void shouldContinueTheChainFromTheDatabaseWithoutACache() throws SQLException {
        append(0, 0, "e1", "e2");
        cache.clear();
        append(0, 2, "e3");

        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void shouldStoreTheNextOffsetOfEachPartition() throws SQLException {
        append(4, 10, "e1", "e2");

        assertThat(column("SELECT next_offset FROM sink_offsets WHERE topic = ? AND partition = 4")).containsExactly(12L);
        assertThat(stored).containsEntry(tp(4), 12L);
    }

    @Test
    void shouldSkipAnEventTheLedgerAlreadyHolds() throws SQLException {
        append(0, 0, "e1", "e2");

        LedgerAppender.Result result = append(0, 2, "e2", "e3");

        assertThat(result.appended()).isEqualTo(1);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void shouldSkipAnEventRepeatedWithinOneBatch() throws SQLException {
        LedgerAppender.Result result = append(0, 0, "e1", "e1", "e2");

        assertThat(result.appended()).isEqualTo(2);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(seqs()).containsExactly(1L, 2L);
    }

    @Test
    void shouldStoreTheOffsetsOfABatchOfDuplicatesOnly() throws SQLException {
        append(0, 0, "e1");

        append(0, 1, "e1");

        assertThat(column("SELECT next_offset FROM sink_offsets WHERE topic = ? AND partition = 0")).containsExactly(2L);
    }

    @Test
    void shouldRefuseABatchWhenAnotherInstanceMovedTheOffsets() throws SQLException {
        append(0, 0, "e1");
        stored.put(tp(0), 0L); // as if this instance had missed the commit of another one

        assertThatThrownBy(() -> append(0, 0, "e1-again"))
                .isInstanceOf(OffsetsFencedException.class)
                .hasMessageContaining("expected next_offset 0, found next_offset 1");
        assertThat(seqs()).containsExactly(1L);
    }

    @Test
    void shouldRefuseABatchWhenOffsetsAppearedThatItDidNotExpect() throws SQLException {
        append(0, 0, "e1");
        stored.clear();

        assertThatThrownBy(() -> append(0, 0, "e1-again")).isInstanceOf(OffsetsFencedException.class)
                .hasMessageContaining("expected no row");
    }

    @Test
    void shouldRollBackEverythingWhenAStaleCacheCollides() throws SQLException {
        append(0, 0, "e1");

        // the same occurred_at, so the same partition: its (tenant_id, seq, occurred_at) key refuses seq 1 again
        assertThatThrownBy(() -> appender.append(writer,
                new SinkBatch(List.of(Fixtures.content(tenant, "e2", "gpt-4o", 0, 1)), Map.of(tp(0), 2L)), staleCache(),
                stored))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("_pkey");

        assertThat(seqs()).containsExactly(1L);
        assertThat(column("SELECT next_offset FROM sink_offsets WHERE topic = ? AND partition = 0")).containsExactly(1L);
        assertThat(stored).containsEntry(tp(0), 1L);
    }

    @Test
    void shouldRefuseABatchChainedFromAStaleHeadWhateverMonthItsRowsLandIn() throws SQLException {
        // What the global (tenant_id, seq) key refused before the monthly partitions: a second writer forking a chain.
        // Its seq 1 goes to another month's partition, where no key refuses it; the chain-head fence does.
        appendContents(0, 0, Fixtures.content(tenant, "e1", Fixtures.recent(31), "gpt-4o", 0, 0));

        assertThatThrownBy(() -> appender.append(writer, new SinkBatch(
                List.of(Fixtures.content(tenant, "e2", Fixtures.recent(0), "gpt-4o", 0, 1)), Map.of(tp(0), 2L)),
                staleCache(), stored))
                .isInstanceOf(ChainForkedException.class)
                .hasMessageContaining(tenant + " (chained from seq 0)");

        assertThat(seqs()).containsExactly(1L);
        assertThat(column("SELECT next_offset FROM sink_offsets WHERE topic = ? AND partition = 0")).containsExactly(1L);
        assertThat(column("SELECT seq FROM ledger_chain_heads WHERE tenant_id = ?")).containsExactly(1L);
        assertThat(stored).containsEntry(tp(0), 1L);
    }

    @Test
    void shouldRefuseAStaleWriterThatWaitedForTheOtherWritersCommit() throws Exception {
        appendContents(0, 0, Fixtures.content(tenant, "e1", Fixtures.recent(0), "gpt-4o", 0, 0));
        LedgerAppender other = appenderWith(new CheckpointPolicy(1000, Duration.ofSeconds(10)));
        try (Connection otherWriter = db.writer()) {
            otherWriter.setAutoCommit(false);
            // the other writer moves the head to seq 2 and holds the row until it commits
            try (PreparedStatement move = otherWriter.prepareStatement(
                    "UPDATE ledger_chain_heads SET seq = 2 WHERE tenant_id = ?")) {
                move.setString(1, tenant);
                assertThat(move.executeUpdate()).isEqualTo(1);
            }
            java.util.concurrent.CompletableFuture<LedgerAppender.Result> stale =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return other.append(writer, new SinkBatch(List.of(Fixtures.content(tenant, "e2",
                                    Fixtures.recent(31), "gpt-4o", 0, 1)), Map.of(tp(0), 2L)), cache, stored);
                        } catch (SQLException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> waitingForALock(db.writerUser()));
            otherWriter.commit();

            assertThatThrownBy(stale::join).hasCauseInstanceOf(ChainForkedException.class);
        }
        assertThat(seqs()).containsExactly(1L);
    }

    private static boolean waitingForALock(String user) throws SQLException {
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND wait_event_type = 'Lock'")) {
            query.setString(1, user);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1) > 0;
            }
        }
    }

    @Test
    void shouldSkipAReDeliveredEventInItsMonthsPartition() throws SQLException {
        Instant lastMonth = Fixtures.recent(31);
        appendContents(0, 0, Fixtures.content(tenant, "e1", lastMonth, "gpt-4o", 0, 0),
                Fixtures.content(tenant, "e2", Fixtures.recent(0), "gpt-4o", 0, 1));

        LedgerAppender.Result result = appendContents(0, 2, Fixtures.content(tenant, "e1", lastMonth, "gpt-4o", 0, 2),
                Fixtures.content(tenant, "e3", Fixtures.recent(0), "gpt-4o", 0, 3));

        assertThat(result.appended()).isEqualTo(1);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void shouldHoldAnEventIdAgainOnlyWithAnotherOccurredAt() throws SQLException {
        // D32: the ledger's idempotency key is (tenant_id, event_id, occurred_at); the same id at another time is
        // another event to the ledger (metering's dedup refuses it within its horizon), in both passes of a batch
        Instant lastMonth = Fixtures.recent(31);
        appendContents(0, 0, Fixtures.content(tenant, "e1", lastMonth, "gpt-4o", 0, 0));

        LedgerAppender.Result result = appendContents(0, 1, Fixtures.content(tenant, "e1", Fixtures.recent(0), "gpt-4o",
                0, 1), Fixtures.content(tenant, "e1", lastMonth, "gpt-4o", 0, 2));

        assertThat(result.appended()).isEqualTo(1);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(seqs()).containsExactly(1L, 2L);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void shouldRecogniseTheDuplicateEventConstraintOfEveryPartition() {
        assertThat(LedgerAppender.isEventUnique("ledger_entries_event_unique")).isTrue();
        assertThat(LedgerAppender.isEventUnique("ledger_entries_y2026m12_event_unique")).isTrue();
        assertThat(LedgerAppender.isEventUnique("ledger_entries_default_event_unique")).isTrue();
        assertThat(LedgerAppender.isEventUnique("ledger_entries_y2026m12_pkey")).isFalse();
        assertThat(LedgerAppender.isEventUnique(null)).isFalse();
    }

    private ChainHeadCache staleCache() {
        ChainHeadCache staleCache = new ChainHeadCache();
        staleCache.put(0, tenant, new ChainHeadCache.Tracked(ChainHead.EMPTY, new ChainProgress(0, 0, null)));
        return staleCache;
    }

    private LedgerAppender.Result appendContents(int partition, long firstOffset, EntryContent... contents)
            throws SQLException {
        return appender.append(writer, new SinkBatch(List.of(contents), Map.of(tp(partition), firstOffset
                + contents.length)), cache, stored);
    }

    @Test
    void shouldKeepTheConnectionUsableAfterARollback() throws SQLException {
        stored.put(tp(0), 5L);
        assertThatThrownBy(() -> append(0, 5, "e1")).isInstanceOf(OffsetsFencedException.class);
        stored.remove(tp(0));

        assertThat(append(0, 0, "e1").appended()).isEqualTo(1);
    }

    @Test
    void shouldKeepEachTenantsChainSeparate() throws SQLException {
        String globex = SharedStack.unique("globex");
        List<EntryContent> contents = List.of(
                Fixtures.content(tenant, "a1", "gpt-4o", 1, 0),
                Fixtures.content(globex, "b1", "gpt-4o", 1, 1),
                Fixtures.content(tenant, "a2", "gpt-4o", 1, 2),
                Fixtures.content(globex, "b2", "gpt-4o", 1, 3));

        appender.append(writer, new SinkBatch(contents, Map.of(tp(1), 4L)), cache, stored);

        assertThat(seqs()).containsExactly(1L, 2L);
        try (Connection superuser = db.superuser()) {
            assertThat(new LedgerVerifier(superuser).verify(Optional.of(globex)).entriesVerified()).isEqualTo(2);
        }
    }

    private List<Checkpoint> checkpoints() throws SQLException {
        List<Checkpoint> checkpoints = new ArrayList<>();
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT " + CheckpointStore.COLUMNS + " FROM ledger_checkpoints WHERE tenant_id = ? ORDER BY seq")) {
            query.setString(1, tenant);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    checkpoints.add(CheckpointStore.read(rows));
                }
            }
        }
        return checkpoints;
    }

    private ChainHash entryHash(long seq) throws SQLException {
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT entry_hash FROM ledger_entries WHERE tenant_id = ? AND seq = ?")) {
            query.setString(1, tenant);
            query.setLong(2, seq);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return ChainHash.of(rows.getBytes(1));
            }
        }
    }

    @Test
    void shouldSignACheckpointEachTimeTheChainGrowsByTheEntryLimit() throws SQLException {
        appender = appenderWith(new CheckpointPolicy(3, Duration.ofHours(1)));

        LedgerAppender.Result result = append(0, 0, "e1", "e2", "e3", "e4", "e5", "e6", "e7");

        assertThat(result.checkpoints()).extracting(Checkpoint::seq).containsExactly(3L, 6L);
        assertThat(checkpoints()).extracting(Checkpoint::seq).containsExactly(3L, 6L);
        for (Checkpoint checkpoint : checkpoints()) {
            assertThat(checkpoint.headHash()).isEqualTo(entryHash(checkpoint.seq()));
            assertThat(Ed25519Verifier.verify(keys.publicKeys(CheckpointSigner.KEY_NAME), checkpoint.message(),
                    checkpoint.signature())).isTrue();
            assertThat(checkpoint.keyVersionMatchesSignature()).isTrue();
        }
    }

    @Test
    void shouldSignTheHeadOnceTheOldestUnsignedEntryIsTenSecondsOld() throws SQLException {
        append(0, 0, "e1");
        clock.advance(Duration.ofSeconds(9));
        append(0, 1, "e2");
        assertThat(checkpoints()).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        LedgerAppender.Result result = append(0, 2, "e3");

        assertThat(result.checkpoints()).extracting(Checkpoint::seq).containsExactly(3L);
        assertThat(checkpoints()).singleElement().satisfies(c -> {
            assertThat(c.signedAt()).isEqualTo(clock.instant());
            assertThat(c.headHash()).isEqualTo(entryHash(3));
        });
        assertThat(cache.get(tenant)).hasValueSatisfying(chain -> assertThat(chain.progress().unsigned()).isFalse());
    }

    @Test
    void shouldCountFromTheNewestStoredCheckpointWhenTheCacheIsEmpty() throws SQLException {
        appender = appenderWith(new CheckpointPolicy(3, Duration.ofHours(1)));
        append(0, 0, "e1", "e2", "e3", "e4");
        cache.clear();

        append(0, 4, "e5", "e6");

        assertThat(checkpoints()).extracting(Checkpoint::seq).containsExactly(3L, 6L);
    }

    @Test
    void shouldNotStoreTheCheckpointsOfABatchThatRolledBack() throws SQLException {
        appender = appenderWith(new CheckpointPolicy(1, Duration.ofHours(1)));
        stored.put(tp(0), 5L);

        assertThatThrownBy(() -> append(0, 5, "e1")).isInstanceOf(OffsetsFencedException.class);

        assertThat(checkpoints()).isEmpty();
    }
}
