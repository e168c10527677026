package io.budgetguard.common.auth;

import java.util.Objects;

/** Who sent a request: the tenant and key id come from the authenticated key, never from the request. */
public record Principal(String tenantId, String keyId, Role role) {

    public Principal {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(role, "role");
    }

    /** Refuses (403) when the key's role is below {@code required}. */
    public void require(Role required) {
        if (!role.allows(required)) {
            throw AuthProblems.forbidden("This API key's role (" + role.wireName() + ") may not do this; it needs "
                    + required.wireName() + " or above");
        }
    }
}
