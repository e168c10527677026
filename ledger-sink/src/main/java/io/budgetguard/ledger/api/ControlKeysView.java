package io.budgetguard.ledger.api;

import io.budgetguard.common.auth.KeyDirectory;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the ledger API knows of the control plane: the API keys ({@code control.apikeys.v1}) and tenants
 * ({@code control.tenants.v1}), newest record per key, in memory. Fed by {@link ControlKeysReader}; read by every
 * request, lock-free.
 */
public final class ControlKeysView implements KeyDirectory {

    private final ConcurrentHashMap<String, ApiKey> apiKeys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Tenant> tenants = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    @Override
    public ApiKey apiKeyOrNull(String keyId) {
        return apiKeys.get(keyId);
    }

    @Override
    public Tenant tenantOrNull(String tenantId) {
        return tenants.get(tenantId);
    }

    void apiKey(String keyId, ApiKey value) {
        if (value == null) {
            apiKeys.remove(keyId);
        } else {
            apiKeys.put(keyId, value);
        }
    }

    void tenant(String tenantId, Tenant value) {
        if (value == null) {
            tenants.remove(tenantId);
        } else {
            tenants.put(tenantId, value);
        }
    }

    /** True once the reader has read both topics up to the end offsets it saw at start. */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    void markCaughtUp() {
        caughtUp = true;
    }
}
