package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.checkpoint.ChainIds;
import io.budgetguard.ledger.checkpoint.ChainProgress;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointPublisher;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.checkpoint.Checkpointer;
import io.budgetguard.ledger.sink.ChainHeadCache.Tracked;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs chain heads outside the batches: tails that went quiet before their 10 seconds were up (on every idle poll),
 * and, when the sink starts, every tail a crashed or stopped sink left unsigned. Each pass is its own transaction;
 * checkpoints are published after it commits.
 */
final class CheckpointSealer {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointSealer.class);

    private final Checkpointer checkpointer;
    private final CheckpointPublisher publisher;

    CheckpointSealer(Checkpointer checkpointer, CheckpointPublisher publisher) {
        this.checkpointer = checkpointer;
        this.publisher = publisher;
    }

    /**
     * Signs the audit chains whose oldest unsigned entry is old enough, reading their heads under the chain locks;
     * returns how many were signed.
     */
    int sealDue(Connection connection, AuditAppender audit) throws SQLException {
        List<String> due = audit.due();
        if (due.isEmpty()) {
            return 0;
        }
        List<Checkpoint> checkpoints = new ArrayList<>();
        Map<String, ChainProgress> progress = new java.util.HashMap<>();
        try {
            AuditAppender.lock(connection, due);
            for (ChainHeads.Found found : ChainHeads.AUDIT.read(connection, due).values()) {
                long head = found.head().seq();
                if (head > found.signedSeq()) {
                    checkpointer.seal(ChainIds.audit(found.tenantId()), found.head()).ifPresent(checkpoint -> {
                        checkpoints.add(checkpoint);
                        progress.put(found.tenantId(), new ChainProgress(head, head, null));
                    });
                } else {
                    progress.put(found.tenantId(), new ChainProgress(head, found.signedSeq(), null));
                }
            }
            CheckpointStore.insert(connection, checkpoints);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
        publisher.publish(checkpoints);
        progress.forEach(audit::progressed);
        return checkpoints.size();
    }

    /** Signs the cached ledger chains whose oldest unsigned entry is old enough; returns how many were signed. */
    int sealDue(Connection connection, ChainHeadCache cache) throws SQLException {
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (Map.Entry<String, Tracked> chain : cache.snapshot()) {
            Tracked tracked = chain.getValue();
            if (checkpointer.isDue(tracked.progress()) && tracked.head().seq() > 0) {
                checkpointer.seal(chain.getKey(), tracked.head()).ifPresent(checkpoints::add);
            }
        }
        if (checkpoints.isEmpty()) {
            return 0;
        }
        store(connection, checkpoints);
        for (Checkpoint checkpoint : checkpoints) {
            cache.progressed(checkpoint.chainId(), new ChainProgress(checkpoint.seq(), checkpoint.seq(), null));
        }
        return checkpoints.size();
    }

    /**
     * Signs the head of every ledger and audit chain that is ahead of its newest checkpoint, then republishes the
     * newest checkpoint of every chain (the topic may have missed one if a sink died between commit and send).
     */
    int sealUnsigned(Connection connection) throws SQLException {
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (ChainHeads.Found found : ChainHeads.LEDGER.unsigned(connection)) {
            checkpointer.seal(found.tenantId(), found.head()).ifPresent(checkpoints::add);
        }
        for (ChainHeads.Found found : ChainHeads.AUDIT.unsigned(connection)) {
            checkpointer.seal(ChainIds.audit(found.tenantId()), found.head()).ifPresent(checkpoints::add);
        }
        connection.commit();
        store(connection, checkpoints);
        List<Checkpoint> newest = CheckpointStore.newestPerChain(connection);
        connection.commit();
        publisher.publish(newest);
        if (!checkpoints.isEmpty()) {
            LOG.info("Signed {} chain tail(s) left unsigned by an earlier run", checkpoints.size());
        }
        return checkpoints.size();
    }

    /** Stores {@code checkpoints} in their own transaction and publishes them once committed. */
    void store(Connection connection, List<Checkpoint> checkpoints) throws SQLException {
        if (checkpoints.isEmpty()) {
            return;
        }
        try {
            CheckpointStore.insert(connection, checkpoints);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
        publisher.publish(checkpoints);
    }
}
