package io.budgetguard.ingest.auth;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.MalformedApiKeyException;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.limits.FailedAttemptLimiter;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates {@code Authorization: Bearer bg_<key_id>.<secret>} against the control-plane view.
 *
 * <p>bcrypt (cost 12, ~250 ms) runs once per (key id, secret): a verified secret is remembered as its HMAC-SHA256
 * under a key drawn at random when the process starts, so the steady-state cost is one HMAC (about a microsecond)
 * and a heap dump reveals no usable secret. The key's record and its tenant are still read from the view on every
 * request, so a revocation or a suspension takes effect as soon as the view has it, cached or not; a key whose
 * {@code revoked_at} lies in the future (a rotation's overlap) works until that instant of the injected clock. A cached
 * verification only counts while the key's stored hash is the one it was verified against.
 *
 * <p>Concurrent bcrypt work is bounded by a semaphore; when every permit is busy the request is answered 503 at once
 * rather than queued, so random secrets cannot pile up CPU work. Concurrent requests with the same unverified
 * (key id, secret) share one verification. A wrong secret is remembered too (bounded), so repeating it costs no
 * bcrypt either.
 *
 * <p>Every attempt that is not a cached success — a secret to verify, a repeated wrong one, an unknown or revoked key
 * id — first takes a token from the {@link FailedAttemptLimiter} (per client address and per key id; 429 when none
 * is left). A successful verification gives it back.
 */
public final class TenantAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(TenantAuthenticator.class);
    private static final String BEARER = "Bearer ";
    private static final int MAX_REMEMBERED_FAILURES = 10_000;

    private record Verified(String secretHash, byte[] mac) {}

    private final ControlPlaneView view;
    private final SecretCheck secretCheck;
    private final Semaphore bcryptPermits;
    private final FailedAttemptLimiter attempts;
    private final Clock clock;
    private final SecretKeySpec macKey;
    private final ThreadLocal<Mac> macs;
    private final ConcurrentHashMap<String, Verified> verifiedByKeyId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder bcryptVerifications = new LongAdder();

    public TenantAuthenticator(ControlPlaneView view, SecretCheck secretCheck, int maxConcurrentBcrypt,
            FailedAttemptLimiter attempts, Clock clock) {
        this.view = view;
        this.clock = clock;
        this.secretCheck = secretCheck;
        this.bcryptPermits = new Semaphore(maxConcurrentBcrypt);
        this.attempts = attempts;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.macKey = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /**
     * The caller, from an {@code Authorization} header value and the client's address; otherwise 401 (with
     * {@code WWW-Authenticate}), 429 (too many failed attempts) or 503 (bcrypt capacity busy).
     */
    public Principal authenticate(String authorization, String clientAddress) {
        if (authorization == null || authorization.isEmpty()) {
            throw Problems.invalidBearer("Authorization: Bearer <api key> is required", false);
        }
        if (authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw Problems.invalidBearer("Authorization must use the Bearer scheme", false);
        }
        PresentedKey presented;
        try {
            presented = ApiKeys.parse(authorization.substring(BEARER.length()).trim());
        } catch (MalformedApiKeyException e) {
            throw Problems.invalidBearer(e.getMessage(), true);
        }
        ApiKey key = view.apiKeyOrNull(presented.keyId());
        if (key == null || ControlPlaneView.isRevokedAt(key, clock.instant())) {
            attempts.begin(null, clientAddress);
            throw refused();
        }
        Tenant tenant = view.tenantOrNull(key.getTenantId());
        if (tenant == null || !"active".equals(tenant.getStatus())) {
            throw refused();
        }
        Role role = Role.parse(key.getRole()).orElse(null);
        if (role == null) {
            LOG.warn("API key {} has an unknown role in control.apikeys.v1; refusing it", key.getKeyId());
            throw refused();
        }
        byte[] mac = mac(presented.secret());
        Verified verified = verifiedByKeyId.get(key.getKeyId());
        if (verified == null || !verified.secretHash().equals(key.getSecretHash())
                || !MessageDigest.isEqual(verified.mac(), mac)) {
            verifySlowly(key, presented.secret(), mac, clientAddress);
        }
        return new Principal(key.getTenantId(), key.getKeyId(), role);
    }

    /**
     * Remembers a secret this process just created and hashed itself (the admin API), so that the new key's first
     * request needs no bcrypt.
     */
    public void remember(String keyId, String secret, String secretHash) {
        verifiedByKeyId.put(keyId, new Verified(secretHash, mac(secret)));
    }

    /** How many bcrypt verifications ran since start (a metric, and the proof in tests that caching works). */
    public long bcryptVerifications() {
        return bcryptVerifications.sum();
    }

    private void verifySlowly(ApiKey key, String secret, byte[] mac, String clientAddress) {
        FailedAttemptLimiter.Attempt limited = attempts.begin(key.getKeyId(), clientAddress);
        String attempt = key.getKeyId() + ':' + key.getSecretHash() + ':' + Base64.getEncoder().encodeToString(mac);
        if (failures.containsKey(attempt)) {
            throw refused();
        }
        boolean matches;
        try {
            matches = verifyOnce(attempt, secret, key.getSecretHash());
        } catch (RuntimeException e) {
            // no verdict (bcrypt capacity busy): nothing was learnt, so the attempt costs nothing
            limited.refund();
            throw e;
        }
        if (!matches) {
            if (failures.size() >= MAX_REMEMBERED_FAILURES) {
                failures.clear();
            }
            failures.put(attempt, attempt);
            throw refused();
        }
        limited.refund();
        verifiedByKeyId.put(key.getKeyId(), new Verified(key.getSecretHash(), mac));
    }

    /** One bcrypt verification shared by every concurrent request presenting the same (key id, hash, secret). */
    private boolean verifyOnce(String attempt, String secret, String hash) {
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
            boolean matches = bcrypt(secret, hash);
            mine.complete(matches);
            return matches;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(attempt, mine);
        }
    }

    private boolean bcrypt(String secret, String hash) {
        if (!bcryptPermits.tryAcquire()) {
            throw Problems.unavailable("Too many API keys are being verified at once; retry shortly");
        }
        try {
            bcryptVerifications.increment();
            return secretCheck.matches(secret, hash);
        } finally {
            bcryptPermits.release();
        }
    }

    private static RuntimeException refused() {
        return Problems.invalidBearer("The API key is unknown, revoked, or its tenant is not active", true);
    }

    private byte[] mac(String secret) {
        return macs.get().doFinal(secret.getBytes(StandardCharsets.US_ASCII));
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
}
