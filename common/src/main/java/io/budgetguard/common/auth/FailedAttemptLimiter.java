package io.budgetguard.common.auth;

import io.budgetguard.common.limits.RetryAfter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits authentication attempts that cost work or reveal something: every presented secret that is not already
 * known to be right (a bcrypt check, or a repeat of a known wrong one) and every unknown or revoked key id. Each
 * attempt takes a token from its client address's bucket and, for a real key id, from that key id's bucket; a
 * successful verification gives them back, so only failures use the allowance up. With no token left the answer is
 * 429 with {@code Retry-After}, before any bcrypt work.
 *
 * <p>Requests whose secret was verified before never come here (the authenticator's cache answers them), so a flood
 * of wrong secrets for a real key id, or of random key ids from one address, does not slow its legitimate users. The
 * per-address allowance is smaller than the per-key one by default, so one address alone cannot use up a key's
 * allowance; a flood from many addresses can, and then delays only a first, uncached verification of that key on this
 * instance until the flood stops.
 *
 * <p>One limiter per service instance, shared by all its tenant routes (ingest's {@code /v1/*}, metering-streams'
 * {@code GET /v1/spend}, the ledger's read API) through {@link TenantAuthenticator}.
 *
 * <p>Memory is bounded: past {@value #MAX_TRACKED} keys or addresses a map is cleared, which at worst hands a flood
 * a fresh allowance.
 */
public final class FailedAttemptLimiter {

    static final int MAX_TRACKED = 100_000;

    private final ConcurrentHashMap<String, Bucket> byKeyId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Bucket> byAddress = new ConcurrentHashMap<>();
    private final int perKeyPerMinute;
    private final int perAddressPerMinute;
    private final TimeMeter time;

    public FailedAttemptLimiter(AuthLimits limits, TimeMeter time) {
        this.perKeyPerMinute = limits.failuresPerMinutePerKey();
        this.perAddressPerMinute = limits.failuresPerMinutePerAddress();
        this.time = time;
    }

    /** An attempt that took its tokens; {@link Attempt#refund()} returns them. */
    public interface Attempt {
        void refund();
    }

    /**
     * Takes a token of {@code address} and, when not null, of {@code keyId}; 429 naming what ran out when either has
     * none left (taking nothing then).
     */
    public Attempt begin(String keyId, String address) {
        Bucket addressBucket = bucket(byAddress, address, perAddressPerMinute);
        ConsumptionProbe fromAddress = addressBucket.tryConsumeAndReturnRemaining(1);
        if (!fromAddress.isConsumed()) {
            throw AuthProblems.tooManyRequests("Too many failed authentication attempts from this client address; "
                    + "requests with an already verified API key are not affected",
                    RetryAfter.seconds(fromAddress.getNanosToWaitForRefill()));
        }
        if (keyId == null) {
            return () -> addressBucket.addTokens(1);
        }
        Bucket keyBucket = bucket(byKeyId, keyId, perKeyPerMinute);
        ConsumptionProbe fromKey = keyBucket.tryConsumeAndReturnRemaining(1);
        if (!fromKey.isConsumed()) {
            addressBucket.addTokens(1);
            throw AuthProblems.tooManyRequests("Too many failed authentication attempts for API key " + keyId
                    + "; requests with an already verified secret of this key are not affected",
                    RetryAfter.seconds(fromKey.getNanosToWaitForRefill()));
        }
        return () -> {
            addressBucket.addTokens(1);
            keyBucket.addTokens(1);
        };
    }

    private Bucket bucket(ConcurrentHashMap<String, Bucket> buckets, String key, int perMinute) {
        Bucket bucket = buckets.get(key);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= MAX_TRACKED) {
            buckets.clear();
        }
        return buckets.computeIfAbsent(key, k -> Bucket.builder().withCustomTimePrecision(time)
                .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
                .build());
    }
}
