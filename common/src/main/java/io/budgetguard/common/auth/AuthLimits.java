package io.budgetguard.common.auth;

import io.budgetguard.common.config.Env;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits of tenant-key authentication, one set per service instance, each from its own variable
 * ({@code <PREFIX>} is {@code INGEST}, {@code STREAMS} or {@code LEDGER}):
 *
 * @param maxConcurrentBcrypt         {@code <PREFIX>_MAX_CONCURRENT_BCRYPT} (default 2, 1–64): bcrypt verifications at
 *                                    once; one more is answered 503 at once instead of queueing
 * @param failuresPerMinutePerKey     {@code <PREFIX>_AUTH_FAILURES_PER_MIN_PER_KEY} (default 30, 1–100 000): attempts
 *                                    nobody verified yet per key id per minute, also the burst
 * @param failuresPerMinutePerAddress {@code <PREFIX>_AUTH_FAILURES_PER_MIN_PER_ADDRESS} (default 10, 1–100 000): the same
 *                                    per client address; below the per-key one so that one address alone cannot drain
 *                                    a key's allowance and lock its holder out
 */
public record AuthLimits(int maxConcurrentBcrypt, int failuresPerMinutePerKey, int failuresPerMinutePerAddress) {

    public static final int MAX_CONCURRENT_BCRYPT = 64;
    public static final int MAX_FAILURES_PER_MINUTE = 100_000;

    public static final AuthLimits DEFAULTS = new AuthLimits(2, 30, 10);

    public AuthLimits {
        List<String> problems = new ArrayList<>();
        check(problems, "maxConcurrentBcrypt", maxConcurrentBcrypt, MAX_CONCURRENT_BCRYPT);
        check(problems, "failuresPerMinutePerKey", failuresPerMinutePerKey, MAX_FAILURES_PER_MINUTE);
        check(problems, "failuresPerMinutePerAddress", failuresPerMinutePerAddress, MAX_FAILURES_PER_MINUTE);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /**
     * Reads {@code <prefix>_MAX_CONCURRENT_BCRYPT}, {@code <prefix>_AUTH_FAILURES_PER_MIN_PER_KEY} and
     * {@code <prefix>_AUTH_FAILURES_PER_MIN_PER_ADDRESS}; a bad value is a problem of {@code env} (reported with the
     * others by {@link Env#validate()}) and the default stands in for it meanwhile.
     */
    public static AuthLimits fromEnv(Env env, String prefix) {
        return new AuthLimits(
                env.integer(prefix + "_MAX_CONCURRENT_BCRYPT", DEFAULTS.maxConcurrentBcrypt(), 1, MAX_CONCURRENT_BCRYPT),
                env.integer(prefix + "_AUTH_FAILURES_PER_MIN_PER_KEY", DEFAULTS.failuresPerMinutePerKey(), 1,
                        MAX_FAILURES_PER_MINUTE),
                env.integer(prefix + "_AUTH_FAILURES_PER_MIN_PER_ADDRESS", DEFAULTS.failuresPerMinutePerAddress(), 1,
                        MAX_FAILURES_PER_MINUTE));
    }

    public AuthLimits withFailuresPerMinute(int perKey, int perAddress) {
        return new AuthLimits(maxConcurrentBcrypt, perKey, perAddress);
    }

    public AuthLimits withMaxConcurrentBcrypt(int max) {
        return new AuthLimits(max, failuresPerMinutePerKey, failuresPerMinutePerAddress);
    }

    private static void check(List<String> problems, String name, int value, int max) {
        if (value < 1 || value > max) {
            problems.add(name + " must be between 1 and " + max + ", was " + value);
        }
    }
}
