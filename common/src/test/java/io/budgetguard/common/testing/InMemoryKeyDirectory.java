package io.budgetguard.common.testing;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.KeyDirectory;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link KeyDirectory} the test fills directly, as a service's control-plane reader would. */
public final class InMemoryKeyDirectory implements KeyDirectory {

    /** bcrypt at its lowest cost: tests check behaviour, not the cost. */
    public static final SecretHasher FAST_HASHER = new SecretHasher(4);
    private static final Instant CREATED = Instant.parse("2025-01-01T00:00:00Z");

    private final ConcurrentHashMap<String, ApiKey> keys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Tenant> tenants = new ConcurrentHashMap<>();

    @Override
    public ApiKey apiKeyOrNull(String keyId) {
        return keys.get(keyId);
    }

    @Override
    public Tenant tenantOrNull(String tenantId) {
        return tenants.get(tenantId);
    }

    public Tenant tenant(String id, String status) {
        Tenant tenant = new Tenant(id, "Tenant " + id, status, null, null, CREATED, CREATED);
        tenants.put(id, tenant);
        return tenant;
    }

    /** A new key of {@code tenantId} with {@code role}; the returned key holds the secret. */
    public PresentedKey key(String tenantId, Role role) {
        PresentedKey key = ApiKeys.generate();
        put(new ApiKey(key.keyId(), tenantId, role.wireName(), FAST_HASHER.hash(key.secret()), CREATED, null));
        return key;
    }

    public void put(ApiKey record) {
        keys.put(record.getKeyId(), record);
    }

    public void revoke(PresentedKey key) {
        put(ApiKey.newBuilder(keys.get(key.keyId())).setRevokedAt(CREATED.plusSeconds(60)).build());
    }
}
