package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.ChainProgress;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.checkpoint.Checkpointer;
import io.budgetguard.ledger.sink.ChainHeadCache.Tracked;
import io.budgetguard.ledger.sink.RecordedEvents.EventKey;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends one batch in one transaction: the rows, the checkpoints they make due and the offsets that produced them
 * commit together, or nothing does (exactly once). In order: lock and check the batch's offset rows, read the chain
 * heads the cache lacks, drop events the ledger already holds (see {@link #write}), chain the rest, COPY them, move
 * the chains' stored heads ({@link ChainFence}: refuses a batch chained from a stale head), sign and store due
 * checkpoints, save the offsets, commit. The cache and {@code storedOffsets} change only after the commit
 * succeeded; the caller publishes the returned checkpoints then.
 */
final class LedgerAppender {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerAppender.class);
    /**
     * The unique (tenant_id, event_id, occurred_at) constraint of V5__ledger_monthly_partitions.sql,
     * {@code ledger_entries_event_unique}; a violation is reported under the partition's index,
     * {@code ledger_entries_<month or default>_event_unique}.
     */
    private static final Pattern EVENT_UNIQUE = Pattern.compile("ledger_entries(_[a-z0-9]+)?_event_unique");

    private final SinkOffsets offsets;
    private final Checkpointer checkpointer;
    private final AuditAppender audit;

    LedgerAppender(SinkOffsets offsets, Checkpointer checkpointer) {
        this.offsets = Objects.requireNonNull(offsets);
        this.checkpointer = Objects.requireNonNull(checkpointer);
        this.audit = new AuditAppender(checkpointer);
    }

    /** The audit side, whose unsigned tails the idle pass signs. */
    AuditAppender audit() {
        return audit;
    }

    /**
     * What a committed batch did: ledger entries appended, duplicates skipped, audit entries appended, and the
     * checkpoints stored (still to be published).
     */
    record Result(int appended, int duplicates, int audited, List<Checkpoint> checkpoints) {

        Result {
            checkpoints = List.copyOf(checkpoints);
        }
    }

    /**
     * Writes {@code batch} and commits. {@code storedOffsets} is what this instance believes {@code sink_offsets}
     * holds for its partitions (absent: no row); it is updated on success. On any exception the transaction is rolled
     * back and the caller must drop the cache and re-read the stored offsets.
     */
    Result append(Connection connection, SinkBatch batch, ChainHeadCache cache,
            Map<TopicPartition, Long> storedOffsets) throws SQLException {
        try {
            Written written;
            try {
                written = write(connection, batch, cache, storedOffsets, false);
            } catch (SQLException e) {
                if (!isDuplicateEvent(e)) {
                    throw e;
                }
                // Rare (metering-streams re-emitted an event): redo the batch, this time looking its events up.
                connection.rollback();
                LOG.info("A batch held events already in the ledger; writing it again without them");
                written = write(connection, batch, cache, storedOffsets, true);
            }
            connection.commit();
            storedOffsets.putAll(batch.nextOffsets());
            written.newChains().forEach((tenant, chain) -> cache.put(chain.partition(), tenant, chain.tracked()));
            audit.committed(written.audited());
            return written.result();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        }
    }

    private record PartitionChain(int partition, Tracked tracked) {}

    private record Written(Result result, Map<String, PartitionChain> newChains, AuditAppender.Appended audited) {}

    /**
     * {@code lookUpRecorded = false} is the fast path: the ledger's unique (tenant_id, event_id, occurred_at) index
     * (one per monthly partition, D32) is the only duplicate check, and a violation sends the batch back for a second
     * pass that looks every event up first.
     * Looking up 2000 events costs about as much as chaining them, for a case that almost never happens.
     */
    private Written write(Connection connection, SinkBatch batch, ChainHeadCache cache,
            Map<TopicPartition, Long> storedOffsets, boolean lookUpRecorded) throws SQLException {
        checkOffsets(connection, batch, storedOffsets);

        Map<String, Tracked> before = chains(connection, batch, cache);
        Set<EventKey> recorded =
                lookUpRecorded ? RecordedEvents.existing(connection, distinctKeys(batch)) : Set.of();

        Map<String, ChainHead> heads = new HashMap<>();
        before.forEach((tenant, tracked) -> heads.put(tenant, tracked.head()));
        Map<String, List<ChainHead>> appended = new LinkedHashMap<>();
        Map<String, Integer> partitions = new HashMap<>();
        Set<EventKey> seen = new HashSet<>();
        int duplicates = 0;
        int count = 0;
        List<Checkpoint> checkpoints = new ArrayList<>();
        Map<String, PartitionChain> newChains = new HashMap<>();
        // Rows stream to the server as they are chained, so that it inserts them while the next ones are hashed, and
        // the due checkpoints are signed before the COPY ends, while the server inserts the last chunk: the sink's
        // thread and its backend work side by side instead of in turn (docs/PERFORMANCE.md, Sink).
        LedgerCopyWriter.Stream copy = null;
        try {
            for (EntryContent content : batch.contents()) {
                EventKey key = EventKey.of(content);
                if (recorded.contains(key) || !seen.add(key)) {
                    duplicates++;
                    continue;
                }
                LedgerEntry entry = heads.get(content.tenantId()).append(content);
                ChainHead head = ChainHead.of(entry);
                heads.put(content.tenantId(), head);
                appended.computeIfAbsent(content.tenantId(), t -> new ArrayList<>()).add(head);
                partitions.put(content.tenantId(), content.sourcePartition());
                if (copy == null) {
                    copy = LedgerCopyWriter.open(connection);
                }
                copy.add(entry);
                count++;
            }
            if (copy != null) {
                copy.flush();
            }
            appended.forEach((tenant, chainHeads) -> {
                Checkpointer.Signed signed =
                        checkpointer.afterAppend(tenant, before.get(tenant).progress(), chainHeads);
                checkpoints.addAll(signed.checkpoints());
                newChains.put(tenant, new PartitionChain(partitions.get(tenant),
                        new Tracked(heads.get(tenant), signed.after())));
            });
            if (copy != null) {
                copy.finish();
            }
        } catch (SQLException | RuntimeException e) {
            if (copy != null) {
                copy.cancel();
            }
            throw e;
        }
        // in tenant order, so that two writers racing on the same chains take their row locks in the same order
        Map<String, ChainFence.Move> moves = new TreeMap<>();
        appended.keySet().forEach(tenant -> moves.put(tenant,
                new ChainFence.Move(before.get(tenant).head(), heads.get(tenant))));
        ChainFence.advance(connection, moves);

        AuditAppender.Appended audited = audit.append(connection, batch.auditRecords());
        checkpoints.addAll(audited.checkpoints());
        CheckpointStore.insert(connection, checkpoints);
        offsets.save(connection, batch.nextOffsets());
        return new Written(new Result(count, duplicates, audited.entries(), checkpoints), newChains, audited);
    }

    private void checkOffsets(Connection connection, SinkBatch batch, Map<TopicPartition, Long> storedOffsets)
            throws SQLException {
        Map<TopicPartition, Long> locked = offsets.lock(connection, batch.nextOffsets().keySet());
        for (TopicPartition partition : batch.nextOffsets().keySet()) {
            Long expected = storedOffsets.get(partition);
            Long stored = locked.get(partition);
            if (!Objects.equals(expected, stored)) {
                throw new OffsetsFencedException(partition, expected, stored);
            }
        }
    }

    /** The cached or stored chain of every tenant in the batch. */
    private Map<String, Tracked> chains(Connection connection, SinkBatch batch, ChainHeadCache cache)
            throws SQLException {
        Map<String, Tracked> chains = new HashMap<>();
        Set<String> missing = new LinkedHashSet<>();
        for (EntryContent content : batch.contents()) {
            String tenant = content.tenantId();
            if (!chains.containsKey(tenant)) {
                cache.get(tenant).ifPresentOrElse(tracked -> chains.put(tenant, tracked), () -> missing.add(tenant));
            }
        }
        ChainHeads.LEDGER.read(connection, missing).forEach((tenant, found) -> chains.put(tenant, new Tracked(
                found.head(), ChainProgress.found(found.head().seq(), found.signedSeq(), checkpointer.now()))));
        return chains;
    }

    private static List<EventKey> distinctKeys(SinkBatch batch) {
        Set<EventKey> keys = new LinkedHashSet<>();
        for (EntryContent content : batch.contents()) {
            keys.add(EventKey.of(content));
        }
        return new ArrayList<>(keys);
    }

    private static boolean isDuplicateEvent(SQLException e) {
        if (!"23505".equals(e.getSQLState())) {
            return false;
        }
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            return isEventUnique(psql.getServerErrorMessage().getConstraint());
        }
        return e.getMessage() != null && EVENT_UNIQUE.matcher(e.getMessage()).find();
    }

    /** True for the idempotency constraint's name, on ledger_entries or any of its partitions. */
    static boolean isEventUnique(String constraint) {
        return constraint != null && EVENT_UNIQUE.matcher(constraint).matches();
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
