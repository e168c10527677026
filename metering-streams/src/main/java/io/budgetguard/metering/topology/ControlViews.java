package io.budgetguard.metering.topology;

import io.budgetguard.common.auth.KeyDirectory;
import io.budgetguard.metering.budget.BudgetIndex;
import io.budgetguard.metering.control.ControlTable;
import io.budgetguard.metering.pricing.PriceIndex;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import java.util.Objects;

/**
 * The in-memory views of the control-plane topics that one Kafka Streams instance keeps (written by its global thread,
 * read by its stream threads and its HTTP server). Every instance has all of them, whatever partitions it owns. The
 * API keys and tenants are the {@link KeyDirectory} of {@code GET /v1/spend}'s authentication.
 */
public record ControlViews(PriceIndex prices, BudgetIndex budgets, ControlTable<ApiKey> apiKeys,
        ControlTable<Tenant> tenants) implements KeyDirectory {

    public ControlViews {
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(apiKeys, "apiKeys");
        Objects.requireNonNull(tenants, "tenants");
    }

    @Override
    public ApiKey apiKeyOrNull(String keyId) {
        return apiKeys.get(keyId);
    }

    @Override
    public Tenant tenantOrNull(String tenantId) {
        return tenants.get(tenantId);
    }

    /** Fresh, empty views, filled when the topology's global stores are restored. */
    public static ControlViews empty() {
        return new ControlViews(new PriceIndex(), new BudgetIndex(), new ControlTable<>(), new ControlTable<>());
    }
}
