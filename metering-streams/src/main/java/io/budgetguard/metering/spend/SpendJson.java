package io.budgetguard.metering.spend;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The JSON answers of {@code GET /v1/spend}: snake_case, money as exact decimal strings. */
final class SpendJson {

    private SpendJson() {}

    /** One budget's spend in one period. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BudgetSpendJson(String tenantId, String budgetId, String apiKeyId, String model, String period,
            Instant periodStart, Instant periodEnd, String limitUsd, String spendUsd, String status,
            List<Integer> thresholds, List<Integer> thresholdsCrossed, List<Integer> thresholdsAlerted, long eventCount,
            long inputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens) {

        static BudgetSpendJson of(BudgetSpend spend) {
            return new BudgetSpendJson(spend.budget().tenantId(), spend.budget().budgetId(),
                    spend.budget().apiKeyIdOrNull(), spend.budget().modelOrNull(), spend.budget().periodKind().code(),
                    spend.period().start(), spend.period().end(), plain(spend.budget().limitUsd()),
                    plain(spend.totals().spendUsd()), spend.status().code(), spend.budget().thresholds(),
                    spend.thresholdsCrossed(), spend.thresholdsAlerted(), spend.totals().eventCount(),
                    spend.totals().inputTokens(), spend.totals().cachedInputTokens(),
                    spend.totals().cacheWriteTokens(), spend.totals().outputTokens());
        }
    }

    /** Every budget of a tenant, by budget id. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TenantSpendJson(String tenantId, List<BudgetSpendJson> budgets) {}

    /** A decimal as plain text without trailing zeros ({@code 100}, {@code 2.5}, {@code 0.000001234}), as ingest writes. */
    static String plain(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }
}
