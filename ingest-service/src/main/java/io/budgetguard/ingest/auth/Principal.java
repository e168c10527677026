package io.budgetguard.ingest.auth;

import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.http.Problems;

/** Who sent a request: the tenant and key id come from the authenticated key, never from the body. */
public record Principal(String tenantId, String keyId, Role role) {

    /** Refuses (403) when the key's role is below {@code required}. */
    public void require(Role required) {
        if (!role.allows(required)) {
            throw Problems.forbidden("This API key's role (" + role.wireName() + ") may not do this; it needs "
                    + required.wireName() + " or above");
        }
    }
}
