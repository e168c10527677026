package io.budgetguard.metering.testing;

import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders of control-plane and usage records for metering tests. Money is given as decimal strings. */
public final class Fixtures {

    public static final String PROVIDER = "openai";
    /** Priced at $1 per million input tokens and $2 per million output tokens: N input tokens cost N µ$. */
    public static final String MODEL = "test-model";

    private static final SecretHasher FAST_HASHER = new SecretHasher(4);

    private Fixtures() {}

    public static BigDecimal usd(String amount) {
        return new BigDecimal(amount).setScale(9);
    }

    public static ModelPrice price(String provider, String model, String version, Instant effectiveFrom,
            String inputPerMtok, String cachedPerMtok, String cacheWritePerMtok, String outputPerMtok) {
        return ModelPrice.newBuilder()
                .setProvider(provider)
                .setModel(model)
                .setVersion(version)
                .setEffectiveFrom(effectiveFrom)
                .setInputPerMtok(usd(inputPerMtok))
                .setCachedInputPerMtok(usd(cachedPerMtok))
                .setCacheWritePerMtok(usd(cacheWritePerMtok))
                .setOutputPerMtok(usd(outputPerMtok))
                .setSource("https://example.test/pricing")
                .setAsOf("2026-01-01")
                .build();
    }

    /** The test model's price: $1 / $0.5 / $1.25 / $2 per million tokens, from {@code effectiveFrom}. */
    public static ModelPrice testModelPrice(String version, Instant effectiveFrom) {
        return price(PROVIDER, MODEL, version, effectiveFrom, "1", "0.5", "1.25", "2");
    }

    public static String priceKey(ModelPrice price) {
        return price.getProvider() + "/" + price.getModel() + "/" + price.getVersion();
    }

    public static Budget budget(String tenant, String budgetId, String limitUsd, String period, List<Integer> thresholds,
            String apiKeyId, String model) {
        return Budget.newBuilder()
                .setTenantId(tenant)
                .setBudgetId(budgetId)
                .setLimitUsd(usd(limitUsd))
                .setPeriod(period)
                .setThresholds(thresholds)
                .setApiKeyId(apiKeyId)
                .setModel(model)
                .setUpdatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .build();
    }

    public static Budget monthlyBudget(String tenant, String budgetId, String limitUsd) {
        return budget(tenant, budgetId, limitUsd, "monthly", List.of(50, 80, 100), null, null);
    }

    public static String budgetKey(Budget budget) {
        return budget.getTenantId() + "/" + budget.getBudgetId();
    }

    /** A tenant record; {@code status} is {@code active} or {@code suspended}. */
    public static Tenant tenant(String tenantId, String status) {
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        return Tenant.newBuilder()
                .setTenantId(tenantId)
                .setName(tenantId)
                .setStatus(status)
                .setRateLimitEventsPerS(null)
                .setCreatedAt(created)
                .setUpdatedAt(created)
                .build();
    }

    /**
     * A key record for {@code key} with a cheap bcrypt hash (cost 4: verification is the same code, in microseconds);
     * {@code revokedAt} null for a live key.
     */
    public static ApiKey apiKey(PresentedKey key, String tenantId, Role role, Instant revokedAt) {
        return ApiKey.newBuilder()
                .setKeyId(key.keyId())
                .setTenantId(tenantId)
                .setRole(role.wireName())
                .setSecretHash(FAST_HASHER.hash(key.secret()))
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .setRevokedAt(revokedAt)
                .build();
    }

    /** An event of the test model with {@code inputTokens} uncached input tokens and nothing else. */
    public static UsageEvent event(String tenant, String eventId, Instant occurredAt, long inputTokens) {
        return event(tenant, "kdefault00000000", eventId, occurredAt, MODEL, inputTokens);
    }

    public static UsageEvent event(String tenant, String apiKeyId, String eventId, Instant occurredAt, String model,
            long inputTokens) {
        return UsageEvent.newBuilder()
                .setTenantId(tenant)
                .setApiKeyId(apiKeyId)
                .setEventId(eventId)
                .setOccurredAt(occurredAt)
                .setReceivedAt(occurredAt.plusMillis(50))
                .setProvider(PROVIDER)
                .setModel(model)
                .setInputTokens(inputTokens)
                .setCachedInputTokens(0)
                .setCacheWriteTokens(0)
                .setOutputTokens(0)
                .setReasoningTokens(0)
                .setEndUser(null)
                .setMetadata(Map.of())
                .build();
    }
}
