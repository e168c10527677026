package io.budgetguard.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies tenant API key secrets against their stored bcrypt hash, paying the bcrypt cost (~250 ms at cost 12) once
 * per (key id, secret) and process. Service-independent: callers look the key up and decide what a refusal means.
 *
 * <p>A verified secret is remembered as its HMAC-SHA256 under a key drawn at random when the verifier is created, so
 * the steady-state cost is one HMAC (about a microsecond) and a heap dump reveals no usable secret. A remembered
 * verification only counts while the key's stored hash is the one it was verified against, so a rotated hash needs a
 * fresh check. A wrong secret is remembered too (bounded), so repeating it costs no bcrypt either.
 *
 * <p>Concurrent bcrypt work is bounded: when every permit is busy {@link VerifierBusyException} is thrown at once
 * rather than queueing, so random secrets cannot pile up CPU work. Concurrent checks of the same unverified
 * (key id, secret) share one bcrypt run.
 */
public final class CachedSecretVerifier {

    private static final int MAX_REMEMBERED_FAILURES = 10_000;

    private record Verified(String secretHash, byte[] mac) {}

    private final BiPredicate<String, String> slowCheck;
    private final Semaphore bcryptPermits;
    private final SecretKeySpec macKey;
    private final ThreadLocal<Mac> macs;
    private final ConcurrentHashMap<String, Verified> verifiedByKeyId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Boolean> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder slowVerifications = new LongAdder();

    /**
     * @param slowCheck     {@code (secret, storedHash) -> matches}, {@link SecretHasher#verify} in production
     * @param maxConcurrent how many slow checks may run at once (about the number of cores)
     */
    public CachedSecretVerifier(BiPredicate<String, String> slowCheck, int maxConcurrent) {
        this.slowCheck = Objects.requireNonNull(slowCheck, "slowCheck");
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        this.bcryptPermits = new Semaphore(maxConcurrent);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.macKey = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** The production verifier: bcrypt via {@link SecretHasher}, at most {@code maxConcurrent} checks at once. */
    public static CachedSecretVerifier bcrypt(int maxConcurrent) {
        SecretHasher hasher = new SecretHasher();
        return new CachedSecretVerifier(hasher::verify, maxConcurrent);
    }

    /**
     * True when {@code secret} is the secret of key {@code keyId} whose stored hash is {@code storedHash}.
     *
     * @throws VerifierBusyException when a slow check is needed and every permit is taken: retry shortly
     */
    public boolean verify(String keyId, String storedHash, String secret) {
        Objects.requireNonNull(keyId, "keyId");
        if (storedHash == null || secret == null) {
            return false;
        }
        byte[] mac = mac(secret);
        return isRemembered(keyId, storedHash, mac) || verifySlowly(keyId, storedHash, secret, mac);
    }

    /**
     * True when {@code secret} was verified before for this key and its current stored hash: one HMAC, no bcrypt, no
     * waiting. Callers that limit failed attempts ask this first and only count what is not already known good.
     */
    public boolean isVerified(String keyId, String storedHash, String secret) {
        if (keyId == null || storedHash == null || secret == null) {
            return false;
        }
        return isRemembered(keyId, storedHash, mac(secret));
    }

    /** Remembers a secret this process just created and hashed itself, so that its first use needs no bcrypt. */
    public void remember(String keyId, String secret, String storedHash) {
        verifiedByKeyId.put(keyId, new Verified(storedHash, mac(secret)));
    }

    /** How many slow (bcrypt) checks ran since start: a metric, and the proof in tests that caching works. */
    public long slowVerifications() {
        return slowVerifications.sum();
    }

    private boolean verifySlowly(String keyId, String storedHash, String secret, byte[] mac) {
        String attempt = keyId + ':' + storedHash + ':' + Base64.getEncoder().encodeToString(mac);
        if (failures.containsKey(attempt)) {
            return false;
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> shared = inFlight.putIfAbsent(attempt, mine);
        if (shared != null) {
            try {
                return shared.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        try {
            // Asked again now that this request owns the attempt: an owner remembers its outcome before it lets go of
            // the attempt, so a request that looked just before that finds the outcome here, not a second slow check.
            boolean matches;
            if (isRemembered(keyId, storedHash, mac)) {
                matches = true;
            } else if (failures.containsKey(attempt)) {
                matches = false;
            } else {
                matches = slowCheck(secret, storedHash);
                rememberOutcome(keyId, storedHash, mac, attempt, matches);
            }
            mine.complete(matches);
            return matches;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(attempt, mine);
        }
    }

    /** Whether {@code mac}'s secret was verified for this key and its current stored hash. */
    private boolean isRemembered(String keyId, String storedHash, byte[] mac) {
        Verified verified = verifiedByKeyId.get(keyId);
        return verified != null && verified.secretHash().equals(storedHash) && MessageDigest.isEqual(verified.mac(), mac);
    }

    private void rememberOutcome(String keyId, String storedHash, byte[] mac, String attempt, boolean matches) {
        if (matches) {
            verifiedByKeyId.put(keyId, new Verified(storedHash, mac));
            return;
        }
        if (failures.size() >= MAX_REMEMBERED_FAILURES) {
            failures.clear();
        }
        failures.put(attempt, Boolean.TRUE);
    }

    private boolean slowCheck(String secret, String storedHash) {
        if (!bcryptPermits.tryAcquire()) {
            throw new VerifierBusyException();
        }
        try {
            slowVerifications.increment();
            return slowCheck.test(secret, storedHash);
        } finally {
            bcryptPermits.release();
        }
    }

    private byte[] mac(String secret) {
        return macs.get().doFinal(secret.getBytes(StandardCharsets.UTF_8));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(macKey);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    /** Every slow-check permit is taken: the caller should answer "retry shortly" (503) instead of queueing. */
    public static final class VerifierBusyException extends RuntimeException {

        public VerifierBusyException() {
            super("Too many API keys are being verified at once; retry shortly", null, false, false);
        }
    }
}
