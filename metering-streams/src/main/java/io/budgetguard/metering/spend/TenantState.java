package io.budgetguard.metering.spend;

import java.util.Objects;

/** Where a tenant's spend can be read right now, from the point of view of one instance. */
public sealed interface TenantState {

    /** This instance owns the tenant's partition: read its stores. */
    record Local(SpendReader reader) implements TenantState {
        public Local {
            Objects.requireNonNull(reader, "reader");
        }
    }

    /** Another instance owns it: forward the request to {@code baseUrl} ({@code http://host:port}). */
    record Remote(String baseUrl) implements TenantState {
        public Remote {
            Objects.requireNonNull(baseUrl, "baseUrl");
        }
    }

    /** Nobody can answer for now (starting, rebalancing, restoring): the client should retry shortly. */
    record Unavailable(String reason) implements TenantState {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
