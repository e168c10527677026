package io.budgetguard.ingest.keys;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Creates, revokes and rotates tenant API keys for the admin API and the tenants' own {@code /v1/keys}. Only the
 * bcrypt hash of a secret is published to {@code control.apikeys.v1}; the secret is returned once, in the answer.
 *
 * <p>A key is usable until its {@code revoked_at}: revocation sets it to now, rotation to now plus an overlap
 * window, during which the old and the new key both work, so that gateways can switch without an outage.
 */
public final class ApiKeyIssuer {

    /** The overlap of a rotation when the request names none. */
    public static final Duration DEFAULT_OVERLAP = Duration.ofHours(1);
    public static final Duration MAX_OVERLAP = Duration.ofDays(30);

    /** A new key: its record as published and the secret-bearing key, to be shown once. */
    public record Issued(ApiKey record, PresentedKey key) {
        @Override
        public String toString() {
            return "Issued[keyId=" + key.keyId() + ", role=" + record.getRole() + "]";
        }
    }

    /** A rotation's outcome: the new key and the old one with its {@code revoked_at} at the end of the overlap. */
    public record Rotated(Issued replacement, ApiKey previous) {}

    private final ControlPlaneView view;
    private final ControlPlaneWriter writer;
    private final SecretHasher hasher;
    private final TenantAuthenticator authenticator;
    private final Clock clock;

    public ApiKeyIssuer(ControlPlaneView view, ControlPlaneWriter writer, SecretHasher hasher,
            TenantAuthenticator authenticator, Clock clock) {
        this.view = view;
        this.writer = writer;
        this.hasher = hasher;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /** Creates a key of {@code role} for the tenant and publishes its hash; this instance needs no bcrypt for it. */
    public Issued create(String tenantId, Role role) {
        PresentedKey key = ApiKeys.generate();
        while (view.apiKeyOrNull(key.keyId()) != null) {
            key = ApiKeys.generate();
        }
        String hash = hasher.hash(key.secret());
        ApiKey record = new ApiKey(key.keyId(), tenantId, role.wireName(), hash, now(), null);
        writer.put(Topics.CONTROL_APIKEYS, key.keyId(), record);
        authenticator.remember(key.keyId(), key.secret(), hash);
        return new Issued(record, key);
    }

    /** Revokes the key now (also one whose rotation overlap has not ended yet); revoking a revoked key changes nothing. */
    public ApiKey revoke(ApiKey key) {
        Instant now = now();
        if (ControlPlaneView.isRevokedAt(key, now)) {
            return key;
        }
        ApiKey revoked = ApiKey.newBuilder(key).setRevokedAt(now).build();
        writer.put(Topics.CONTROL_APIKEYS, key.getKeyId(), revoked);
        return revoked;
    }

    /**
     * Creates a key with the same tenant and role, then sets the old key's {@code revoked_at} to now plus
     * {@code overlap} (or keeps an earlier one already set). 409 for a key that is already revoked.
     */
    public Rotated rotate(ApiKey key, Duration overlap) {
        Instant now = now();
        if (ControlPlaneView.isRevokedAt(key, now)) {
            throw Problems.conflict("API key " + key.getKeyId() + " is revoked; create a new key instead");
        }
        Role role = Role.parse(key.getRole()).orElseThrow(() -> Problems.conflict(
                "API key " + key.getKeyId() + " has an unknown role; create a new key instead"));
        Issued replacement = create(key.getTenantId(), role);
        Instant end = now.plus(overlap);
        if (key.getRevokedAt() != null && key.getRevokedAt().isBefore(end)) {
            return new Rotated(replacement, key);
        }
        ApiKey expiring = ApiKey.newBuilder(key).setRevokedAt(end).build();
        writer.put(Topics.CONTROL_APIKEYS, key.getKeyId(), expiring);
        return new Rotated(replacement, expiring);
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }
}
