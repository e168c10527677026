package io.budgetguard.common.auth;

import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates {@code Authorization: Bearer bg_<key_id>.<secret>} against a service's copy of the control plane
 * ({@link KeyDirectory}); the one authenticator of ingest, metering-streams ({@code GET /v1/spend}) and the ledger read
 * API.
 *
 * <p>The key must exist and not be revoked at this instant of the injected clock (a {@code revoked_at} in the future, a
 * rotation's overlap, keeps it usable until then), its tenant must be active, its role known, and its secret match the
 * stored bcrypt hash. bcrypt (cost 12, ~250 ms) runs once per (key id, secret) and process in the
 * {@link CachedSecretVerifier}, which remembers a verified secret as an HMAC, so the steady-state cost is one HMAC; the
 * key's record and its tenant are still read on every request, so a revocation or a suspension counts as soon as the
 * directory has it, cached or not. A cached verification only counts while the key's stored hash is the one it was
 * verified against.
 *
 * <p>Every attempt that is not a cached success — a secret to verify, a repeated wrong one, an unknown or revoked key
 * id — first takes a token from the {@link FailedAttemptLimiter} (per client address and, for a known key id, per key
 * id; 429 with {@code Retry-After} when none is left), before any bcrypt work. A successful verification gives the
 * tokens back, and so does a verification that could not run because every bcrypt permit was busy (503 with
 * {@code Retry-After}: nothing was learnt). A flood of wrong secrets or random key ids therefore costs at most the
 * limiter's allowance in bcrypt work and never delays a key whose secret this instance verified before.
 */
public final class TenantAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(TenantAuthenticator.class);
    private static final String BEARER = "Bearer ";
    private static final BooleanSupplier ALWAYS_READY = () -> true;

    private final KeyDirectory directory;
    private final CachedSecretVerifier verifier;
    private final FailedAttemptLimiter attempts;
    private final Clock clock;
    private final BooleanSupplier ready;
    private final String notReadyDetail;

    /** An authenticator whose directory is always ready (the service checks readiness before calling it). */
    public TenantAuthenticator(KeyDirectory directory, CachedSecretVerifier verifier, FailedAttemptLimiter attempts,
            Clock clock) {
        this(directory, verifier, attempts, clock, ALWAYS_READY, "");
    }

    /**
     * @param ready          false while the directory is still loading: a request that presents a Bearer key is then
     *                       answered 503 with {@code notReadyDetail} (one without a key still gets its 401)
     */
    public TenantAuthenticator(KeyDirectory directory, CachedSecretVerifier verifier, FailedAttemptLimiter attempts,
            Clock clock, BooleanSupplier ready, String notReadyDetail) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.attempts = Objects.requireNonNull(attempts, "attempts");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ready = Objects.requireNonNull(ready, "ready");
        this.notReadyDetail = Objects.requireNonNull(notReadyDetail, "notReadyDetail");
    }

    /**
     * True when the key is no longer usable at {@code at}: its {@code revoked_at} is set and not after {@code at}. A
     * rotated key has a {@code revoked_at} in the future and stays usable until then.
     */
    public static boolean isRevokedAt(ApiKey key, Instant at) {
        Instant revokedAt = key.getRevokedAt();
        return revokedAt != null && !revokedAt.isAfter(at);
    }

    /**
     * The caller, from an {@code Authorization} header value and the client's address; otherwise a
     * {@link io.budgetguard.common.http.ProblemException}: 401 (with {@code WWW-Authenticate}), 429 (too many failed
     * attempts, with {@code Retry-After}) or 503 (bcrypt capacity busy or the directory loading, with
     * {@code Retry-After}).
     */
    public Principal authenticate(String authorization, String clientAddress) {
        if (authorization == null || authorization.isEmpty()) {
            throw AuthProblems.invalidBearer("Authorization: Bearer <api key> is required", false);
        }
        if (authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw AuthProblems.invalidBearer("Authorization must use the Bearer scheme", false);
        }
        if (!ready.getAsBoolean()) {
            throw AuthProblems.unavailable(notReadyDetail);
        }
        PresentedKey presented;
        try {
            presented = ApiKeys.parse(authorization.substring(BEARER.length()).trim());
        } catch (MalformedApiKeyException e) {
            throw AuthProblems.invalidBearer(e.getMessage(), true);
        }
        ApiKey key = directory.apiKeyOrNull(presented.keyId());
        if (key == null || isRevokedAt(key, clock.instant())) {
            // an unknown or dead key id costs no bcrypt, but probing for live ones is limited per address
            attempts.begin(null, clientAddress);
            throw refused();
        }
        Tenant tenant = directory.tenantOrNull(key.getTenantId());
        if (tenant == null || !"active".equals(tenant.getStatus())) {
            throw refused();
        }
        Role role = Role.parse(key.getRole()).orElse(null);
        if (role == null) {
            LOG.warn("API key {} has an unknown role in control.apikeys.v1; refusing it", key.getKeyId());
            throw refused();
        }
        if (!verifier.isVerified(key.getKeyId(), key.getSecretHash(), presented.secret())) {
            verifySlowly(key, presented.secret(), clientAddress);
        }
        return new Principal(key.getTenantId(), key.getKeyId(), role);
    }

    /**
     * Remembers a secret this process just created and hashed itself (ingest's key issuing), so that the new key's
     * first request needs no bcrypt.
     */
    public void remember(String keyId, String secret, String secretHash) {
        verifier.remember(keyId, secret, secretHash);
    }

    /** How many bcrypt verifications ran since start (a metric, and the proof in tests that caching works). */
    public long bcryptVerifications() {
        return verifier.slowVerifications();
    }

    private void verifySlowly(ApiKey key, String secret, String clientAddress) {
        FailedAttemptLimiter.Attempt limited = attempts.begin(key.getKeyId(), clientAddress);
        boolean matches;
        try {
            matches = verifier.verify(key.getKeyId(), key.getSecretHash(), secret);
        } catch (CachedSecretVerifier.VerifierBusyException e) {
            // no verdict: nothing was learnt, so the attempt costs nothing
            limited.refund();
            throw AuthProblems.unavailable(e.getMessage());
        }
        if (!matches) {
            throw refused();
        }
        limited.refund();
    }

    private static RuntimeException refused() {
        return AuthProblems.invalidBearer("The API key is unknown, revoked, or its tenant is not active", true);
    }
}
