package io.budgetguard.metering.budget;

import io.budgetguard.schemas.PricedUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Spend, event count and tokens of one scope in one period. Money is USD at scale 9, the scale of every per-event
 * cost, so sums are exact.
 */
public record SpendTotals(
        BigDecimal spendUsd, long eventCount, long inputTokens, long cachedInputTokens, long cacheWriteTokens,
        long outputTokens) {

    public static final int SCALE = 9;
    public static final SpendTotals ZERO = new SpendTotals(BigDecimal.ZERO.setScale(SCALE), 0, 0, 0, 0, 0);

    public SpendTotals {
        Objects.requireNonNull(spendUsd, "spendUsd");
        // Exactness: a sum at a different scale would mean a cost was rounded somewhere it must not be.
        spendUsd = spendUsd.setScale(SCALE, RoundingMode.UNNECESSARY);
    }

    /** The sum of these totals and {@code other}. */
    public SpendTotals plus(SpendTotals other) {
        return new SpendTotals(spendUsd.add(other.spendUsd), eventCount + other.eventCount,
                inputTokens + other.inputTokens, cachedInputTokens + other.cachedInputTokens,
                cacheWriteTokens + other.cacheWriteTokens, outputTokens + other.outputTokens);
    }

    /** These totals with one more priced event counted. */
    public SpendTotals plus(PricedUsage usage) {
        return new SpendTotals(
                spendUsd.add(usage.getCostUsd()),
                eventCount + 1,
                inputTokens + usage.getInputTokens(),
                cachedInputTokens + usage.getCachedInputTokens(),
                cacheWriteTokens + usage.getCacheWriteTokens(),
                outputTokens + usage.getOutputTokens());
    }
}
