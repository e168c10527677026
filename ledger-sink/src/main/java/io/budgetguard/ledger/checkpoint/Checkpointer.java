package io.budgetguard.ledger.checkpoint;

import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.ledger.chain.ChainHead;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides ({@link CheckpointPolicy}) and signs ({@link CheckpointSigner}) a chain's checkpoints. A key service that
 * cannot sign delays checkpoints, never the ledger: the failure is logged and counted, the chain stays unsigned and is
 * tried again with the next batch or the next idle pass.
 */
public final class Checkpointer {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

    private final CheckpointSigner signer;
    private final CheckpointPolicy policy;
    private final Clock clock;
    private final AtomicLong signed = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public Checkpointer(CheckpointSigner signer, CheckpointPolicy policy, Clock clock) {
        this.signer = Objects.requireNonNull(signer, "signer");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The checkpoints signed for one chain and its progress once they are stored. */
    public record Signed(List<Checkpoint> checkpoints, ChainProgress after) {

        public Signed {
            checkpoints = List.copyOf(checkpoints);
            Objects.requireNonNull(after, "after");
        }
    }

    /** Signs what {@code appended} (in seq order) makes due on a chain that was at {@code before}. */
    public Signed afterAppend(String chainId, ChainProgress before, List<ChainHead> appended) {
        Instant now = clock.instant();
        CheckpointPolicy.Plan plan = policy.plan(before, appended, now);
        List<Checkpoint> checkpoints = new ArrayList<>(plan.toSign().size());
        for (ChainHead head : plan.toSign()) {
            try {
                checkpoints.add(signer.sign(chainId, head));
                signed.incrementAndGet();
            } catch (KeyServiceException e) {
                failures.incrementAndGet();
                LOG.warn("Checkpoint of {} at seq {} not signed, will retry: {}", chainId, head.seq(), e.getMessage());
                long signedSeq = checkpoints.isEmpty() ? before.signedSeq() : checkpoints.get(checkpoints.size() - 1).seq();
                Instant since = before.uncoveredSince() != null ? before.uncoveredSince() : now;
                return new Signed(checkpoints, new ChainProgress(plan.after().headSeq(), signedSeq, since));
            }
        }
        return new Signed(checkpoints, plan.after());
    }

    /** Signs {@code head} now, whatever the policy says (sealing a tail left unsigned). Empty when signing failed. */
    public Optional<Checkpoint> seal(String chainId, ChainHead head) {
        try {
            Checkpoint checkpoint = signer.sign(chainId, head);
            signed.incrementAndGet();
            return Optional.of(checkpoint);
        } catch (KeyServiceException e) {
            failures.incrementAndGet();
            LOG.warn("Checkpoint of {} at seq {} not signed, will retry: {}", chainId, head.seq(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether a chain at {@code progress} must have its head signed now. */
    public boolean isDue(ChainProgress progress) {
        return progress.unsigned() && progress.uncoveredSince() != null
                && policy.isDue(progress.uncoveredSince(), clock.instant());
    }

    public Instant now() {
        return clock.instant();
    }

    public CheckpointPolicy policy() {
        return policy;
    }

    /** Checkpoints signed since start (a metric). */
    public long signedCount() {
        return signed.get();
    }

    /** Signatures that failed since start (a metric). */
    public long failureCount() {
        return failures.get();
    }
}
