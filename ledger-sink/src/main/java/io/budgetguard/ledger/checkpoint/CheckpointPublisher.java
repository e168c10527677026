package io.budgetguard.ledger.checkpoint;

import java.util.Collection;

/**
 * Publishes committed checkpoints to {@code ledger.checkpoints.v1} (compacted, key = chain id). The database table is
 * written in the batch's transaction; the topic only after the commit, so it never holds a head the ledger lacks.
 */
public interface CheckpointPublisher extends AutoCloseable {

    /** A publisher that drops everything (tests of the database side, tools). */
    CheckpointPublisher NONE = new CheckpointPublisher() {
        @Override
        public void publish(Collection<Checkpoint> checkpoints) {}

        @Override
        public void close() {}
    };

    /** Sends asynchronously; a failure is logged and counted, never thrown. */
    void publish(Collection<Checkpoint> checkpoints);

    @Override
    void close();
}
