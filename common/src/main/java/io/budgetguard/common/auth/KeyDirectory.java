package io.budgetguard.common.auth;

import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;

/**
 * Where the {@link TenantAuthenticator} looks keys and tenants up: a service's in-memory copy of the compacted
 * {@code control.apikeys.v1} and {@code control.tenants.v1} topics (ingest's control-plane view, metering-streams'
 * global stores, the ledger API's key view). Both lookups run on every request, so they must be cheap and lock-free;
 * each service keeps the materialisation it needs and only adapts it to this interface.
 */
public interface KeyDirectory {

    /** The key's newest record, revoked or not; null when unknown or deleted. */
    ApiKey apiKeyOrNull(String keyId);

    /** The tenant's newest record; null when unknown or deleted. */
    Tenant tenantOrNull(String tenantId);
}
