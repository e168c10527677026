package io.budgetguard.ingest.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.keys.ApiKeyIssuer;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.BudgetStatusEntry;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The JSON shapes of the admin API and of {@code GET /v1/budgets/status} (snake_case, decimals as strings). */
public final class AdminJson {

    private AdminJson() {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TenantJson(String id, String name, String status, Integer rateLimitEventsPerS,
            Integer rateLimitRequestsPerS, Instant createdAt, Instant updatedAt) {
        static TenantJson of(Tenant t) {
            return new TenantJson(t.getTenantId(), t.getName(), t.getStatus(), t.getRateLimitEventsPerS(),
                    t.getRateLimitRequestsPerS(), t.getCreatedAt(), t.getUpdatedAt());
        }
    }

    public record TenantList(List<TenantJson> tenants) {}

    /**
     * An API key as listed: never the secret, never its hash. {@code status} is {@code active}, {@code expiring} (a
     * rotated key, usable until {@code revoked_at}) or {@code revoked}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ApiKeyJson(String keyId, String tenantId, String role, String status, Instant createdAt,
            Instant revokedAt) {
        public static ApiKeyJson of(ApiKey k, Instant now) {
            String status = k.getRevokedAt() == null ? "active"
                    : ControlPlaneView.isRevokedAt(k, now) ? "revoked" : "expiring";
            return new ApiKeyJson(k.getKeyId(), k.getTenantId(), k.getRole(), status, k.getCreatedAt(),
                    k.getRevokedAt());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ApiKeyList(List<ApiKeyJson> apiKeys) {}

    /** The answer to a key creation: the only time {@code api_key} (with its secret) is ever shown. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreatedApiKeyJson(String keyId, String apiKey, String role, String tenantId, Instant createdAt) {
        public static CreatedApiKeyJson of(ApiKeyIssuer.Issued issued) {
            ApiKey k = issued.record();
            return new CreatedApiKeyJson(k.getKeyId(), issued.key().token(), k.getRole(), k.getTenantId(),
                    k.getCreatedAt());
        }

        @Override
        public String toString() {
            return "CreatedApiKeyJson[keyId=" + keyId + ", role=" + role + ", tenantId=" + tenantId + "]";
        }
    }

    /** The answer to a rotation: the new key (its secret shown once) and the old key with the end of its overlap. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RotatedApiKeyJson(String keyId, String apiKey, String role, String tenantId, Instant createdAt,
            ApiKeyJson previousKey) {
        public static RotatedApiKeyJson of(ApiKeyIssuer.Rotated rotated, Instant now) {
            CreatedApiKeyJson created = CreatedApiKeyJson.of(rotated.replacement());
            return new RotatedApiKeyJson(created.keyId(), created.apiKey(), created.role(), created.tenantId(),
                    created.createdAt(), ApiKeyJson.of(rotated.previous(), now));
        }

        @Override
        public String toString() {
            return "RotatedApiKeyJson[keyId=" + keyId + ", role=" + role + ", previousKey=" + previousKey + "]";
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BudgetJson(String tenantId, String budgetId, String limitUsd, String period, List<Integer> thresholds,
            String apiKeyId, String model, Instant updatedAt) {
        public static BudgetJson of(Budget b) {
            return new BudgetJson(b.getTenantId(), b.getBudgetId(), plain(b.getLimitUsd()), b.getPeriod(),
                    List.copyOf(b.getThresholds()), b.getApiKeyId(), b.getModel(), b.getUpdatedAt());
        }
    }

    public record BudgetList(List<BudgetJson> budgets) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PriceJson(String provider, String model, String version, Instant effectiveFrom, String inputPerMtok,
            String cachedInputPerMtok, String cacheWritePerMtok, String outputPerMtok, String source, String asOf) {
        static PriceJson of(ModelPrice p) {
            return new PriceJson(p.getProvider(), p.getModel(), p.getVersion(), p.getEffectiveFrom(),
                    plain(p.getInputPerMtok()), plain(p.getCachedInputPerMtok()), plain(p.getCacheWritePerMtok()),
                    plain(p.getOutputPerMtok()), p.getSource(), p.getAsOf());
        }
    }

    public record PriceList(List<PriceJson> prices) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PriceCatalogJson(String version, Instant effectiveFrom, List<PriceJson> prices) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BudgetStatusJson(String tenantId, String status, Instant updatedAt, List<BudgetStatusEntryJson> budgets) {
        public static BudgetStatusJson of(BudgetStatus s) {
            return new BudgetStatusJson(s.getTenantId(), s.getStatus(), s.getUpdatedAt(),
                    s.getBudgets().stream().map(BudgetStatusEntryJson::of).toList());
        }

        /** What a tenant without any computed status gets: {@code ok}, no budgets. */
        public static BudgetStatusJson unknown(String tenantId) {
            return new BudgetStatusJson(tenantId, "ok", null, List.of());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BudgetStatusEntryJson(String budgetId, String period, Instant periodStart, String limitUsd,
            String spendUsd, String status) {
        static BudgetStatusEntryJson of(BudgetStatusEntry e) {
            return new BudgetStatusEntryJson(e.getBudgetId(), e.getPeriod(), e.getPeriodStart(), plain(e.getLimitUsd()),
                    plain(e.getSpendUsd()), e.getStatus());
        }
    }

    /** A decimal as plain text without trailing zeros: {@code 100}, {@code 2.5}, {@code 0.075}. */
    static String plain(BigDecimal value) {
        if (value == null) {
            return null;
        }
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }
}
