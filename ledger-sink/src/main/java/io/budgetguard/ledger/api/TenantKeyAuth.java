package io.budgetguard.ledger.api;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.CachedSecretVerifier;
import io.budgetguard.common.auth.MalformedApiKeyException;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import java.time.Clock;
import java.util.Objects;

/**
 * Authenticates {@code Authorization: Bearer bg_<key_id>.<secret>} with the same rules as ingest and metering-streams:
 * the key exists and is not revoked at this instant (a {@code revoked_at} ahead, a rotation's overlap, keeps it usable
 * until then), its tenant is active, its role known, and its secret matches the stored bcrypt hash (checked once per
 * process by the {@link CachedSecretVerifier}, then from its HMAC cache).
 */
final class TenantKeyAuth {

    private static final String BEARER = "Bearer ";

    private final ControlKeysView view;
    private final CachedSecretVerifier verifier;
    private final Clock clock;

    TenantKeyAuth(ControlKeysView view, CachedSecretVerifier verifier, Clock clock) {
        this.view = Objects.requireNonNull(view, "view");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The caller; 401 (with {@code WWW-Authenticate}) or 503 otherwise. */
    Caller authenticate(String authorization) {
        if (authorization == null || authorization.isEmpty()) {
            throw ApiProblems.invalidBearer("Authorization: Bearer <api key> is required", false);
        }
        if (authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw ApiProblems.invalidBearer("Authorization must use the Bearer scheme", false);
        }
        if (!view.isCaughtUp()) {
            throw ApiProblems.unavailable("The ledger API is still reading the API keys; retry shortly");
        }
        PresentedKey presented;
        try {
            presented = ApiKeys.parse(authorization.substring(BEARER.length()).trim());
        } catch (MalformedApiKeyException e) {
            throw ApiProblems.invalidBearer(e.getMessage(), true);
        }
        ApiKey key = view.apiKey(presented.keyId());
        if (key == null || key.getRevokedAt() != null && !key.getRevokedAt().isAfter(clock.instant())) {
            throw refused();
        }
        Tenant tenant = view.tenant(key.getTenantId());
        if (tenant == null || !"active".equals(tenant.getStatus())) {
            throw refused();
        }
        Role role = Role.parse(key.getRole()).orElseThrow(TenantKeyAuth::refused);
        boolean matches;
        try {
            matches = verifier.verify(key.getKeyId(), key.getSecretHash(), presented.secret());
        } catch (CachedSecretVerifier.VerifierBusyException e) {
            throw ApiProblems.unavailable(e.getMessage());
        }
        if (!matches) {
            throw refused();
        }
        return new Caller(key.getTenantId(), key.getKeyId(), role);
    }

    private static RuntimeException refused() {
        return ApiProblems.invalidBearer("The API key is unknown, revoked, or its tenant is not active", true);
    }
}
