package io.budgetguard.ingest.limits;

import io.budgetguard.common.auth.AuthLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits ingest enforces per instance.
 *
 * @param defaultEventsPerS             {@code INGEST_DEFAULT_EVENTS_PER_S}: usage events per second per tenant when the
 *                                      tenant has no {@code rate_limit_events_per_s} of its own
 * @param defaultRequestsPerS           {@code INGEST_DEFAULT_REQUESTS_PER_S}: requests per second per tenant, every
 *                                      {@code /v1} route
 * @param maxConcurrentBcrypt           {@code INGEST_MAX_CONCURRENT_BCRYPT}: bcrypt verifications at once
 * @param authFailuresPerMinutePerKey   {@code INGEST_AUTH_FAILURES_PER_MIN_PER_KEY}: unverified attempts (that bcrypt
 *                                      must check) per key id per minute, also the burst
 * @param authFailuresPerMinutePerAddress {@code INGEST_AUTH_FAILURES_PER_MIN_PER_ADDRESS}: unverified attempts per
 *                                      client address per minute, also the burst
 */
public record EdgeLimits(
        int defaultEventsPerS,
        int defaultRequestsPerS,
        int maxConcurrentBcrypt,
        int authFailuresPerMinutePerKey,
        int authFailuresPerMinutePerAddress) {

    public static final int MAX_RATE = 10_000_000;

    /**
     * Generous per-tenant rates (one instance serves 100 000 events/s only on good hardware) and tight limits on
     * secrets nobody verified yet. The per-address limit is below the per-key one, so that one address alone cannot
     * drain a key's allowance and lock its holder out.
     */
    public static final EdgeLimits DEFAULTS = new EdgeLimits(100_000, 10_000, 2, 30, 10);

    public EdgeLimits {
        List<String> problems = new ArrayList<>();
        check(problems, "defaultEventsPerS", defaultEventsPerS, MAX_RATE);
        check(problems, "defaultRequestsPerS", defaultRequestsPerS, MAX_RATE);
        check(problems, "maxConcurrentBcrypt", maxConcurrentBcrypt, 64);
        check(problems, "authFailuresPerMinutePerKey", authFailuresPerMinutePerKey, 100_000);
        check(problems, "authFailuresPerMinutePerAddress", authFailuresPerMinutePerAddress, 100_000);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    private static void check(List<String> problems, String name, int value, int max) {
        if (value < 1 || value > max) {
            problems.add(name + " must be between 1 and " + max + ", was " + value);
        }
    }

    public EdgeLimits withDefaultEventsPerS(int eventsPerS) {
        return new EdgeLimits(eventsPerS, defaultRequestsPerS, maxConcurrentBcrypt, authFailuresPerMinutePerKey,
                authFailuresPerMinutePerAddress);
    }

    public EdgeLimits withDefaultRequestsPerS(int requestsPerS) {
        return new EdgeLimits(defaultEventsPerS, requestsPerS, maxConcurrentBcrypt, authFailuresPerMinutePerKey,
                authFailuresPerMinutePerAddress);
    }

    /** The authentication limits, as the shared {@code TenantAuthenticator} of {@code common} takes them. */
    public AuthLimits auth() {
        return new AuthLimits(maxConcurrentBcrypt, authFailuresPerMinutePerKey, authFailuresPerMinutePerAddress);
    }

    public EdgeLimits withAuthFailuresPerMinute(int perKey, int perAddress) {
        return new EdgeLimits(defaultEventsPerS, defaultRequestsPerS, maxConcurrentBcrypt, perKey, perAddress);
    }
}
