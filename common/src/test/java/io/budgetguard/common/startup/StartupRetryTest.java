package io.budgetguard.common.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StartupRetryTest {

    private static final class Unavailable extends RuntimeException {
        Unavailable(int attempt) {
            super("unavailable, attempt " + attempt);
        }
    }

    private final AtomicInteger attempts = new AtomicInteger();

    /** Fails transiently on the first {@code failures} attempts, then succeeds. */
    private Runnable failingFirst(int failures) {
        return () -> {
            int attempt = attempts.incrementAndGet();
            if (attempt <= failures) {
                throw new Unavailable(attempt);
            }
        };
    }

    @Test
    void shouldRetryATransientFailureUntilTheStepSucceeds() {
        new StartupRetry(Duration.ofSeconds(30)).run("reach the dependency", e -> e instanceof Unavailable,
                failingFirst(3));

        assertThat(attempts).hasValue(4);
    }

    @Test
    void shouldThrowAFailureThatRetryingCannotFixAtOnce() {
        StartupRetry retry = new StartupRetry(Duration.ofSeconds(30));

        assertThatThrownBy(() -> retry.run("reach the dependency", e -> false, failingFirst(3)))
                .isInstanceOf(Unavailable.class).hasMessage("unavailable, attempt 1");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void shouldGiveUpWithTheLastFailureAtTheDeadline() {
        StartupRetry retry = new StartupRetry(Duration.ofMillis(700));

        assertThatThrownBy(() -> retry.run("reach the dependency", e -> e instanceof Unavailable,
                failingFirst(Integer.MAX_VALUE)))
                .isInstanceOf(Unavailable.class)
                .satisfies(last -> assertThat(last.getMessage()).isEqualTo("unavailable, attempt " + attempts.get()));
        // 0.2 + 0.4 s of back-off fit in 0.7 s: three attempts at least, and never a retry storm
        assertThat(attempts.get()).isBetween(3, 5);
    }

    @Test
    void shouldMakeOneAttemptWithAZeroDeadline() {
        StartupRetry retry = new StartupRetry(Duration.ZERO);

        assertThatThrownBy(() -> retry.run("reach the dependency", e -> true, failingFirst(1)))
                .isInstanceOf(Unavailable.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void shouldRefuseANegativeDeadline() {
        assertThatThrownBy(() -> new StartupRetry(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
