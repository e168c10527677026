package io.budgetguard.client;

import java.time.Duration;
import java.util.Objects;

/**
 * When to retry a request that failed with {@code 429}, {@code 502/503/504} or an I/O error: exponential backoff with
 * jitter, and never sooner than the server's {@code Retry-After}. A retry resends the same body, so the same
 * {@code event_id}s, and the server's duplicates are removed downstream.
 *
 * @param maxAttempts    attempts per request, the first included (1 = never retry)
 * @param initialBackoff the backoff after the first failure; it doubles ({@code multiplier}) after each further one
 * @param maxBackoff     the backoff never grows past this
 * @param multiplier     growth per failure, at least 1
 * @param maxRetryAfter  a longer {@code Retry-After} is shortened to this (a server asking for an hour is not waited on)
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
        Duration maxRetryAfter) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("Backoff must satisfy 0 <= initialBackoff <= maxBackoff");
        }
        if (multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be at least 1, was " + multiplier);
        }
        if (maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("maxRetryAfter must not be negative");
        }
    }

    /** 10 attempts, backoff 100 ms doubling up to 10 s (about half a minute of retrying), Retry-After up to 60 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, Duration.ofSeconds(60));
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, Duration.ZERO);
    }

    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, maxBackoff, multiplier, maxRetryAfter);
    }

    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, max, multiplier, maxRetryAfter);
    }

    /** The un-jittered backoff after {@code failedAttempts} failures: initial × multiplier^(failures − 1), capped. */
    public Duration backoff(int failedAttempts) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
        return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
    }

    /**
     * How long to wait before the next attempt.
     *
     * <p>Without {@code Retry-After}: "equal jitter", between half and all of {@link #backoff}, so that clients that
     * failed together do not retry together. With it: at least {@code Retry-After} (capped by {@code maxRetryAfter}),
     * plus up to 20 % of it so that every client told "1 second" does not come back in the same millisecond.
     *
     * @param retryAfter the server's {@code Retry-After}, null when absent
     * @param random     a uniform random number in [0, 1)
     */
    public Duration delay(int failedAttempts, Duration retryAfter, double random) {
        Duration backoff = backoff(failedAttempts);
        long jittered = backoff.toNanos() / 2 + (long) (backoff.toNanos() / 2 * random);
        if (retryAfter == null || retryAfter.isZero() || retryAfter.isNegative()) {
            return Duration.ofNanos(jittered);
        }
        long floor = Math.min(retryAfter.toNanos(), maxRetryAfter.toNanos());
        return Duration.ofNanos(Math.max(floor, jittered) + (long) (floor * 0.2 * random));
    }
}
