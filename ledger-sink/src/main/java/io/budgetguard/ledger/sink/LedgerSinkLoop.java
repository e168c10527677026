package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.audit.AuditMapper;
import io.budgetguard.ledger.audit.AuditRecord;
import io.budgetguard.ledger.audit.AuditTopics;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.checkpoint.CheckpointPublisher;
import io.budgetguard.ledger.privacy.DataKeyRef;
import io.budgetguard.ledger.privacy.TenantDataKeys;
import io.budgetguard.ledger.store.LedgerPartitions;
import io.budgetguard.schemas.PricedUsage;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's single thread: poll, append the batch in one transaction, repeat. Kafka's own committed offsets are not
 * the source of truth — {@code sink_offsets} is: on assignment, and after any failure, every partition is sought to its
 * stored offset (or the beginning). Kafka offsets are committed asynchronously afterwards only so that lag tools see
 * the group's progress.
 *
 * <p>Between batches the loop signs chain tails that are due ({@link CheckpointSealer}); when it starts, it first signs
 * whatever an earlier run left unsigned. At start and then hourly it creates the ledger's monthly partitions ahead
 * ({@link LedgerPartitions}).
 */
final class LedgerSinkLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerSinkLoop.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration IDLE_PING = Duration.ofSeconds(10);
    private static final Duration SEAL_CHECK = Duration.ofSeconds(1);
    /** Partitions are kept {@link LedgerPartitions#MONTHS_AHEAD} months ahead: hourly checks are plenty. */
    private static final Duration PARTITION_CHECK = Duration.ofHours(1);
    private static final Duration PARTITION_RETRY = Duration.ofMinutes(1);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Consumer<String, SpecificRecord> consumer;
    private final String pricedTopic;
    private final List<String> topics;
    private final DatabaseSession database;
    private final LedgerAppender appender;
    private final SinkOffsets offsets;
    private final PricedUsageMapper mapper;
    private final AuditMapper auditMapper;
    private final TenantDataKeys dataKeys;
    private final CheckpointSealer sealer;
    private final CheckpointPublisher publisher;
    private final ChainHeadCache heads = new ChainHeadCache();
    /** What sink_offsets holds for the assigned partitions (absent: no row), as of our last read or commit. */
    private final Map<TopicPartition, Long> storedOffsets = new HashMap<>();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    private SinkMetrics metrics;
    private volatile boolean running = true;
    private volatile boolean joined;
    private volatile boolean healthy;
    private volatile int assignedPartitions;
    private boolean repositionNeeded;
    private boolean sealedAtStart;
    private long lastPingNanos;
    private long lastSealCheckNanos;
    private long nextPartitionCheckNanos = System.nanoTime();
    private Duration backoff = MIN_BACKOFF;

    LedgerSinkLoop(Consumer<String, SpecificRecord> consumer, String pricedTopic, AuditTopics auditTopics,
            DatabaseSession database, SinkOffsets offsets, LedgerAppender appender, PricedUsageMapper mapper,
            TenantDataKeys dataKeys, CheckpointSealer sealer, CheckpointPublisher publisher) {
        this.consumer = consumer;
        this.pricedTopic = pricedTopic;
        List<String> all = new ArrayList<>();
        all.add(pricedTopic);
        all.addAll(auditTopics.names());
        this.topics = List.copyOf(all);
        this.auditMapper = new AuditMapper(auditTopics);
        this.database = database;
        this.offsets = offsets;
        this.appender = appender;
        this.mapper = mapper;
        this.dataKeys = dataKeys;
        this.sealer = sealer;
        this.publisher = publisher;
    }

    void bind(SinkMetrics sinkMetrics) {
        this.metrics = sinkMetrics;
    }

    /** The consumer has joined its group (possibly with no partitions) and the database answered last time we asked. */
    boolean isReady() {
        return joined && healthy;
    }

    int assignedPartitions() {
        return assignedPartitions;
    }

    @Override
    public void run() {
        try {
            healthy = database.ping(5);
            lastPingNanos = System.nanoTime();
            ensurePartitionsWhenDue();
            sealAtStart();
            consumer.subscribe(topics, new Rebalance());
            while (running) {
                try {
                    if (repositionNeeded) {
                        repositionAll();
                    }
                    ConsumerRecords<String, SpecificRecord> records = consumer.poll(POLL);
                    if (records.isEmpty()) {
                        pingWhenIdle();
                    } else {
                        append(records);
                    }
                    sealWhenDue();
                    ensurePartitionsWhenDue();
                } catch (WakeupException e) {
                    // close() woke us up: the loop condition ends it
                } catch (Exception e) {
                    if (running) {
                        recover(e);
                    }
                }
            }
        } finally {
            try {
                consumer.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing the ledger sink's consumer failed: {}", e.toString());
            }
            database.close();
            stopped.countDown();
        }
    }

    /** Asks the loop to stop after the batch in progress, and waits for it (at most {@code timeout}). */
    boolean stop(Duration timeout) throws InterruptedException {
        running = false;
        stopping.countDown();
        consumer.wakeup();
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void append(ConsumerRecords<String, SpecificRecord> records) throws SQLException {
        long start = System.nanoTime();
        Map<String, DataKeyRef> keys = dataKeys.forEncryption(database.connection(), tenantsWithPersonalData(records));
        List<EntryContent> contents = new ArrayList<>(records.count());
        List<AuditRecord> audited = new ArrayList<>();
        Map<TopicPartition, Long> nextOffsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, SpecificRecord> record : records.records(partition)) {
                if (partition.topic().equals(pricedTopic)) {
                    contents.add(mapper.map((PricedUsage) record.value(), record.partition(), record.offset(), keys));
                } else {
                    auditMapper.map(record.topic(), record.key(), record.value(), record.timestamp())
                            .ifPresent(audited::add);
                }
            }
            // The consumer's position, not last offset + 1: it also steps over transaction markers and aborted
            // records, so that a caught-up sink stores exactly the log end offset.
            nextOffsets.put(partition, consumer.position(partition));
        }
        LedgerAppender.Result result =
                appender.append(database.connection(), new SinkBatch(contents, audited, nextOffsets), heads,
                        storedOffsets);
        healthy = true;
        backoff = MIN_BACKOFF;
        publisher.publish(result.checkpoints());
        metrics.appended.increment(result.appended());
        metrics.audited.increment(result.audited());
        metrics.duplicates.increment(result.duplicates());
        metrics.batches.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (result.duplicates() > 0) {
            LOG.info("Skipped {} event(s) the ledger already held", result.duplicates());
        }
        consumer.commitAsync(nextOffsets.entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue()))),
                (committed, failure) -> {
                    if (failure != null) {
                        // Informational only (sink_offsets is the truth); fails normally around a rebalance.
                        LOG.debug("Kafka offset commit for monitoring failed: {}", failure.toString());
                    }
                });
    }

    private Set<String> tenantsWithPersonalData(ConsumerRecords<String, SpecificRecord> records) {
        Set<String> tenants = new HashSet<>();
        for (ConsumerRecord<String, SpecificRecord> record : records) {
            if (record.topic().equals(pricedTopic) && record.value() instanceof PricedUsage usage
                    && PricedUsageMapper.hasPersonalData(usage) && usage.getTenantId() != null) {
                tenants.add(usage.getTenantId());
            }
        }
        return tenants;
    }

    /** Signs, at start, the tails an earlier run left unsigned; retried between polls until it succeeds once. */
    private void sealAtStart() {
        if (sealedAtStart || !healthy) {
            return;
        }
        try {
            sealer.sealUnsigned(database.connection());
            sealedAtStart = true;
        } catch (SQLException | RuntimeException e) {
            database.reset();
            LOG.warn("Could not sign the chain tails left unsigned, will retry: {}", e.getMessage());
        }
    }

    /**
     * Creates the coming months' partitions; a failure (a lock it did not get within the function's lock_timeout, the
     * database away) is retried a minute later and never stops the sink: rows of a month without a partition land in
     * the default partition.
     */
    private void ensurePartitionsWhenDue() {
        if (!healthy || System.nanoTime() - nextPartitionCheckNanos < 0) {
            return;
        }
        try {
            int created = LedgerPartitions.ensure(database.connection(), LedgerPartitions.MONTHS_AHEAD);
            if (created > 0) {
                LOG.info("Created {} monthly partition(s) of ledger_entries", created);
            }
            nextPartitionCheckNanos = System.nanoTime() + PARTITION_CHECK.toNanos();
        } catch (SQLException | RuntimeException e) {
            database.reset();
            nextPartitionCheckNanos = System.nanoTime() + PARTITION_RETRY.toNanos();
            LOG.warn("Could not create the ledger's partitions ahead, will retry in {}: {}", PARTITION_RETRY,
                    e.getMessage());
        }
    }

    private void sealWhenDue() throws SQLException {
        if (System.nanoTime() - lastSealCheckNanos < SEAL_CHECK.toNanos()) {
            return;
        }
        lastSealCheckNanos = System.nanoTime();
        sealAtStart();
        if (healthy) {
            sealer.sealDue(database.connection(), heads);
            sealer.sealDue(database.connection(), appender.audit());
        }
    }

    private void pingWhenIdle() {
        if (!healthy || System.nanoTime() - lastPingNanos > IDLE_PING.toNanos()) {
            healthy = database.ping(5);
            lastPingNanos = System.nanoTime();
        }
    }

    /** Rolls everything back to what the database says, then waits before the retry. */
    private void recover(Exception failure) {
        healthy = false;
        metrics.failures.increment();
        heads.clear();
        database.reset();
        repositionNeeded = true;
        if (failure instanceof OffsetsFencedException || failure instanceof ChainForkedException) {
            LOG.warn("Ledger batch not written, will re-read from the stored offsets: {}", failure.getMessage());
        } else if (failure instanceof UnstorableUsageException || failure instanceof SQLException) {
            LOG.error("Ledger batch not written, retrying in {} ms: {}", backoff.toMillis(), failure.getMessage());
        } else {
            LOG.error("Ledger batch not written, retrying in {} ms", backoff.toMillis(), failure);
        }
        try {
            stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private void repositionAll() throws SQLException {
        Set<TopicPartition> assignment = consumer.assignment();
        storedOffsets.clear();
        seekToStored(assignment);
        repositionNeeded = false;
    }

    private void seekToStored(Collection<TopicPartition> partitions) throws SQLException {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> stored;
        try {
            stored = offsets.load(database.connection(), partitions);
            database.connection().commit();
        } catch (SQLException e) {
            database.reset();
            throw e;
        }
        for (TopicPartition partition : partitions) {
            Long next = stored.get(partition);
            if (next == null) {
                storedOffsets.remove(partition);
                consumer.seekToBeginning(List.of(partition));
            } else {
                storedOffsets.put(partition, next);
                consumer.seek(partition, next);
            }
        }
    }

    /** Runs inside poll(), on the loop thread. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            assignedPartitions = consumer.assignment().size();
            if (!partitions.isEmpty()) {
                LOG.info("Ledger sink assigned {}", partitions);
            }
            try {
                seekToStored(partitions);
            } catch (SQLException e) {
                // Thrown out of poll(): recover() re-seeks every assigned partition before the next poll.
                throw new IllegalStateException("Cannot read sink_offsets for " + partitions + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            heads.dropPartitions(partitions.stream().filter(p -> p.topic().equals(pricedTopic))
                    .map(TopicPartition::partition).toList());
            partitions.forEach(storedOffsets::remove);
            assignedPartitions = Math.max(0, consumer.assignment().size() - partitions.size());
        }
    }
}
