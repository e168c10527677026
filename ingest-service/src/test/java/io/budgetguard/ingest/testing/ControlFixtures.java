package io.budgetguard.ingest.testing;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topics;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Puts tenants and keys straight into a {@link ControlPlaneView}, as the reader would, for unit tests. */
public final class ControlFixtures {

    /** bcrypt at its lowest cost: tests check behaviour, not the cost. */
    public static final SecretHasher FAST_HASHER = new SecretHasher(4);
    private static final Instant CREATED = Instant.parse("2025-01-01T00:00:00Z");

    private final ControlPlaneView view;
    private final AtomicLong offsets = new AtomicLong(1_000_000);

    public ControlFixtures(ControlPlaneView view) {
        this.view = view;
    }

    public Tenant tenant(String id, String status) {
        return tenant(id, status, null);
    }

    /** A tenant with its own {@code rate_limit_events_per_s} (null: the platform default). */
    public Tenant tenant(String id, String status, Integer rateLimitEventsPerS) {
        return tenant(id, status, rateLimitEventsPerS, null);
    }

    /** A tenant with its own events and requests limits (null: the platform default). */
    public Tenant tenant(String id, String status, Integer rateLimitEventsPerS, Integer rateLimitRequestsPerS) {
        Tenant tenant = new Tenant(id, "Tenant " + id, status, rateLimitEventsPerS, rateLimitRequestsPerS, CREATED,
                CREATED);
        view.apply(Topics.CONTROL_TENANTS.name(), id, tenant, 0, offsets.incrementAndGet());
        return tenant;
    }

    /** A new key of {@code tenantId} with {@code role}; the returned key holds the secret. */
    public PresentedKey key(String tenantId, Role role) {
        PresentedKey key = ApiKeys.generate();
        TestSecrets.register(key.secret());
        ApiKey record = new ApiKey(key.keyId(), tenantId, role.wireName(), FAST_HASHER.hash(key.secret()), CREATED, null);
        view.apply(Topics.CONTROL_APIKEYS.name(), key.keyId(), record, 0, offsets.incrementAndGet());
        return key;
    }

    /** A price version of a model, USD per million tokens as decimal strings. */
    public ModelPrice price(String provider, String model, String version, Instant effectiveFrom, String input,
            String cachedInput, String cacheWrite, String output) {
        ModelPrice price = new ModelPrice(provider, model, version, effectiveFrom, decimal(input), decimal(cachedInput),
                decimal(cacheWrite), decimal(output), "test", null);
        view.apply(Topics.CONTROL_PRICES.name(), ControlPlaneView.priceKey(provider, model, version), price, 0,
                offsets.incrementAndGet());
        return price;
    }

    private static BigDecimal decimal(String value) {
        return new BigDecimal(value).setScale(9);
    }

    public void revoke(PresentedKey key) {
        ApiKey current = view.apiKeyOrNull(key.keyId());
        ApiKey revoked = ApiKey.newBuilder(current).setRevokedAt(CREATED.plusSeconds(60)).build();
        view.apply(Topics.CONTROL_APIKEYS.name(), key.keyId(), revoked, 0, offsets.incrementAndGet());
    }
}
