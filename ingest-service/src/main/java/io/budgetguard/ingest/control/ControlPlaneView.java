package io.budgetguard.ingest.control;

import io.budgetguard.common.auth.KeyDirectory;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topic;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What ingest knows of the control plane: tenants, API keys, budgets and prices (the compacted {@code control.*.v1}
 * topics) and each tenant's budget status ({@code budget.status.v1}), in memory. Fed by {@link ControlPlaneReader}
 * and by {@link ControlPlaneWriter} (the admin API's own writes); read by every request. Lookups are lock-free.
 */
public final class ControlPlaneView implements KeyDirectory {

    /** The topics the view materialises, all read from the beginning. */
    public static final List<Topic<?>> TOPICS = List.of(
            Topics.CONTROL_TENANTS, Topics.CONTROL_APIKEYS, Topics.CONTROL_BUDGETS, Topics.CONTROL_PRICES,
            Topics.BUDGET_STATUS);

    public static final String STATUS_OK = "ok";
    public static final String STATUS_WARNING = "warning";
    public static final String STATUS_EXCEEDED = "exceeded";

    private final VersionedTable<Tenant> tenants = new VersionedTable<>();
    private final VersionedTable<ApiKey> apiKeys = new VersionedTable<>();
    private final VersionedTable<Budget> budgets = new VersionedTable<>();
    private final VersionedTable<ModelPrice> prices = new VersionedTable<>();
    private final VersionedTable<BudgetStatus> statuses = new VersionedTable<>();
    private final Map<String, VersionedTable<?>> tablesByTopic = Map.of(
            Topics.CONTROL_TENANTS.name(), tenants,
            Topics.CONTROL_APIKEYS.name(), apiKeys,
            Topics.CONTROL_BUDGETS.name(), budgets,
            Topics.CONTROL_PRICES.name(), prices,
            Topics.BUDGET_STATUS.name(), statuses);
    private final CountDownLatch caughtUpLatch = new CountDownLatch(1);
    private volatile boolean caughtUp;

    /**
     * True when the key is no longer usable at {@code at}: its {@code revoked_at} is set and not after {@code at}. A
     * rotated key has a {@code revoked_at} in the future and stays usable until then.
     */
    public static boolean isRevokedAt(ApiKey key, Instant at) {
        return TenantAuthenticator.isRevokedAt(key, at);
    }

    /** Record key of a budget in {@code control.budgets.v1}. */
    public static String budgetKey(String tenantId, String budgetId) {
        return tenantId + "/" + budgetId;
    }

    /** Record key of a price version in {@code control.prices.v1}. */
    public static String priceKey(String provider, String model, String version) {
        return provider + "/" + model + "/" + version;
    }

    /**
     * Applies one record of a view topic ({@code value} null = tombstone) unless the view already holds a newer
     * record for the key. Records of other topics are ignored.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void apply(String topic, String key, Object value, int partition, long offset) {
        VersionedTable table = tablesByTopic.get(topic);
        if (table != null && key != null) {
            table.apply(key, value, partition, offset);
        }
    }

    /** True once the reader has read every view topic up to the end offsets it saw at start. */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    public void markCaughtUp() {
        caughtUp = true;
        caughtUpLatch.countDown();
    }

    /** Waits up to {@code timeout} for the view to catch up; true when it has. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUpLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public Optional<Tenant> tenant(String tenantId) {
        return tenants.find(tenantId);
    }

    /** Every tenant, by id. */
    public List<Tenant> tenants() {
        List<Tenant> all = tenants.values(t -> true);
        all.sort(Comparator.comparing(Tenant::getTenantId));
        return all;
    }

    /** The key, revoked or not; null when unknown (the hot path of every request, so no Optional). */
    @Override
    public ApiKey apiKeyOrNull(String keyId) {
        return apiKeys.get(keyId);
    }

    @Override
    public Tenant tenantOrNull(String tenantId) {
        return tenants.get(tenantId);
    }

    /** The tenant's keys, revoked ones included, oldest first. */
    public List<ApiKey> apiKeysOf(String tenantId) {
        List<ApiKey> keys = apiKeys.values(k -> k.getTenantId().equals(tenantId));
        keys.sort(Comparator.comparing(ApiKey::getCreatedAt).thenComparing(ApiKey::getKeyId));
        return keys;
    }

    public Optional<Budget> budget(String tenantId, String budgetId) {
        return budgets.find(budgetKey(tenantId, budgetId));
    }

    /** The tenant's budgets, by id. */
    public List<Budget> budgetsOf(String tenantId) {
        List<Budget> list = budgets.values(b -> b.getTenantId().equals(tenantId));
        list.sort(Comparator.comparing(Budget::getBudgetId));
        return list;
    }

    /** Every price version, by provider, model and effective_from. */
    public List<ModelPrice> prices() {
        List<ModelPrice> list = prices.values(p -> true);
        list.sort(Comparator.comparing(ModelPrice::getProvider).thenComparing(ModelPrice::getModel)
                .thenComparing(ModelPrice::getEffectiveFrom).thenComparing(ModelPrice::getVersion));
        return list;
    }

    public Optional<BudgetStatus> budgetStatus(String tenantId) {
        return statuses.find(tenantId);
    }

    /**
     * The tenant's worst budget status for {@code X-Budget-Status}: {@code ok}, {@code warning} or {@code exceeded};
     * {@code ok} when nothing is known. Always one of the three constants, never text from the topic.
     */
    public String budgetStatusHeader(String tenantId) {
        BudgetStatus status = statuses.get(tenantId);
        if (status == null) {
            return STATUS_OK;
        }
        String value = status.getStatus();
        if (STATUS_EXCEEDED.equals(value)) {
            return STATUS_EXCEEDED;
        }
        return STATUS_WARNING.equals(value) ? STATUS_WARNING : STATUS_OK;
    }
}
