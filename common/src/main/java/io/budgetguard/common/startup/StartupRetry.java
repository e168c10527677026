package io.budgetguard.common.startup;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries one start-up step (registering the schemas, applying the topic manifest, reaching the key service) while it
 * fails for a reason that passes by itself — the broker restarting, the registry still starting — until a deadline,
 * then gives up with the step's last failure. A service started together with its dependencies (a reboot, a rolling
 * restart, a supervisor starting everything at once) thus comes up as soon as they do instead of exiting and waiting
 * for the supervisor's restart back-off. A failure that will not pass (an incompatible schema, a refused credential)
 * is thrown at once.
 */
public final class StartupRetry {

    private static final Logger LOG = LoggerFactory.getLogger(StartupRetry.class);
    static final Duration FIRST_DELAY = Duration.ofMillis(200);
    static final Duration MAX_DELAY = Duration.ofSeconds(5);

    private final Duration deadline;

    /** @param deadline how long a step may keep failing transiently; zero = one attempt, no retry */
    public StartupRetry(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("deadline must not be negative, was " + deadline);
        }
        this.deadline = deadline;
    }

    /**
     * Runs {@code step}, retrying it with exponential back-off (0.2 s doubling to 5 s) while it throws an exception
     * {@code transientFailure} accepts and the deadline has not passed.
     *
     * @param what names the step in the log, e.g. "register the schemas at http://registry:8080"
     * @throws RuntimeException the step's own exception: at once when not transient, else the last one at the deadline
     */
    public void run(String what, Predicate<? super RuntimeException> transientFailure, Runnable step) {
        if (deadline.isZero()) {
            step.run();
            return;
        }
        RetryPolicy<Object> policy = RetryPolicy.builder()
                .handleIf(failure -> failure instanceof RuntimeException e && transientFailure.test(e))
                .withBackoff(FIRST_DELAY, MAX_DELAY)
                .withMaxRetries(-1)
                .withMaxDuration(deadline)
                .onRetry(event -> LOG.warn("Cannot {} yet (attempt {}, {} ms of {} ms): {}; retrying", what,
                        event.getAttemptCount(), event.getElapsedTime().toMillis(), deadline.toMillis(),
                        event.getLastException().getMessage()))
                .onRetriesExceeded(event -> LOG.error("Giving up: could not {} within {} ms ({} attempts)", what,
                        deadline.toMillis(), event.getAttemptCount()))
                .build();
        try {
            Failsafe.with(policy).run(step::run);
        } catch (FailsafeException e) {
            // only checked exceptions and interruption arrive wrapped; the step throws unchecked ones
            if (e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Interrupted while trying to " + what, e.getCause());
        }
    }
}
