package io.budgetguard.metering.pricing;

import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ModelPrice;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The cost of one event per token class, in USD at scale 9. Each class cost is {@code tokens × per_mtok / 1 000 000}
 * computed exactly and then rounded half-even to 1e-9 USD; the total is the exact sum of the four rounded class costs,
 * so the ledger can re-add the parts and get the total.
 */
public record UsageCost(
        BigDecimal input, BigDecimal cachedInput, BigDecimal cacheWrite, BigDecimal output, String priceVersion,
        boolean unpriced) {

    public static final int SCALE = 9;
    private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(SCALE);

    /** An event whose model has no price: every cost 0, no version, flagged so it can be repriced later. */
    public static final UsageCost UNPRICED = new UsageCost(ZERO, ZERO, ZERO, ZERO, "", true);

    public static UsageCost of(UsageEvent event, ModelPrice price) {
        return new UsageCost(
                classCost(event.getInputTokens(), price.getInputPerMtok()),
                classCost(event.getCachedInputTokens(), price.getCachedInputPerMtok()),
                classCost(event.getCacheWriteTokens(), price.getCacheWritePerMtok()),
                classCost(event.getOutputTokens(), price.getOutputPerMtok()),
                price.getVersion(),
                false);
    }

    /** {@code tokens × perMillionTokens / 1 000 000}, rounded half-even to scale 9. */
    public static BigDecimal classCost(long tokens, BigDecimal perMillionTokens) {
        if (tokens == 0 || perMillionTokens.signum() == 0) {
            return ZERO;
        }
        return BigDecimal.valueOf(tokens).multiply(perMillionTokens).movePointLeft(6)
                .setScale(SCALE, RoundingMode.HALF_EVEN);
    }

    public BigDecimal total() {
        return input.add(cachedInput).add(cacheWrite).add(output);
    }
}
