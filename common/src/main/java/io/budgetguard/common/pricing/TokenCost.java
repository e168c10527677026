package io.budgetguard.common.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The money rule of PRODUCT.md §3.3, in one place for every service that prices tokens: the cost of one token class
 * is {@code tokens × price per million tokens / 1 000 000}, computed exactly and rounded half-even to 1e-9 USD (scale
 * 9); an event's total is the exact sum of its rounded class costs.
 */
public final class TokenCost {

    /** USD amounts carry 9 decimal places, like {@code numeric(20,9)} in the ledger. */
    public static final int SCALE = 9;
    public static final BigDecimal ZERO = BigDecimal.ZERO.setScale(SCALE);

    private TokenCost() {}

    /** {@code tokens × perMillionTokens / 1 000 000}, rounded half-even to scale 9. */
    public static BigDecimal classCost(long tokens, BigDecimal perMillionTokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("token counts are never negative, was " + tokens);
        }
        if (tokens == 0 || perMillionTokens.signum() == 0) {
            return ZERO;
        }
        return BigDecimal.valueOf(tokens).multiply(perMillionTokens).movePointLeft(6)
                .setScale(SCALE, RoundingMode.HALF_EVEN);
    }
}
