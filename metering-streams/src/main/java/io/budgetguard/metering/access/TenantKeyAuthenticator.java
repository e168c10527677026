package io.budgetguard.metering.access;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.CachedSecretVerifier;
import io.budgetguard.common.auth.MalformedApiKeyException;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.metering.control.ControlTable;
import io.budgetguard.metering.http.Problems;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates {@code Authorization: Bearer bg_<key_id>.<secret>} against this instance's copy of
 * {@code control.apikeys.v1} and {@code control.tenants.v1}, with the same rules as ingest: the key must exist and not be
 * revoked (a {@code revoked_at} in the future, a rotation's overlap, keeps it usable until then), its tenant must be active, its role known and its secret match the stored bcrypt hash (checked once per
 * process, then from the {@link CachedSecretVerifier}'s HMAC cache). The key and the tenant are read on every request,
 * so a revocation or a suspension counts as soon as the global store has it.
 */
public final class TenantKeyAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(TenantKeyAuthenticator.class);
    private static final String BEARER = "Bearer ";

    private final ControlTable<ApiKey> apiKeys;
    private final ControlTable<Tenant> tenants;
    private final CachedSecretVerifier verifier;
    private final Clock clock;

    public TenantKeyAuthenticator(ControlTable<ApiKey> apiKeys, ControlTable<Tenant> tenants,
            CachedSecretVerifier verifier, Clock clock) {
        this.apiKeys = Objects.requireNonNull(apiKeys, "apiKeys");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The caller, from an {@code Authorization} header value; 401 (with {@code WWW-Authenticate}) or 503 otherwise. */
    public Caller authenticate(String authorization) {
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
        ApiKey key = apiKeys.get(presented.keyId());
        if (key == null || key.getRevokedAt() != null && !key.getRevokedAt().isAfter(clock.instant())) {
            throw refused();
        }
        Tenant tenant = tenants.get(key.getTenantId());
        if (tenant == null || !"active".equals(tenant.getStatus())) {
            throw refused();
        }
        Role role = Role.parse(key.getRole()).orElse(null);
        if (role == null) {
            LOG.warn("API key {} has an unknown role in control.apikeys.v1; refusing it", key.getKeyId());
            throw refused();
        }
        boolean matches;
        try {
            matches = verifier.verify(key.getKeyId(), key.getSecretHash(), presented.secret());
        } catch (CachedSecretVerifier.VerifierBusyException e) {
            throw Problems.unavailable(e.getMessage());
        }
        if (!matches) {
            throw refused();
        }
        return new Caller(key.getTenantId(), key.getKeyId(), role);
    }

    private static RuntimeException refused() {
        return Problems.invalidBearer("The API key is unknown, revoked, or its tenant is not active", true);
    }
}
