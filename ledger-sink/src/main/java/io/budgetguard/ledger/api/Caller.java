package io.budgetguard.ledger.api;

import io.budgetguard.common.auth.Role;
import java.util.Objects;

/** Who sent a request: the tenant and key id come from the authenticated key, never from the request. */
record Caller(String tenantId, String keyId, Role role) {

    Caller {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(role, "role");
    }

    /** Refuses (403) when the key's role is below {@code required}. */
    void require(Role required) {
        if (!role.allows(required)) {
            throw ApiProblems.forbidden("This API key's role (" + role.wireName() + ") may not do this; it needs "
                    + required.wireName() + " or above");
        }
    }
}
