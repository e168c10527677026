package io.budgetguard.common.limits;

/** {@code Retry-After} values: whole seconds, rounded up, at least 1 (a client told 0 retries at once and fails again). */
public final class RetryAfter {

    private RetryAfter() {}

    public static long seconds(long nanosToWait) {
        long seconds = (nanosToWait + 999_999_999L) / 1_000_000_000L;
        return Math.max(1, seconds);
    }
}
