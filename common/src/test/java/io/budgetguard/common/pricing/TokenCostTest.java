package io.budgetguard.common.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TokenCostTest {

    @Test
    void shouldMultiplyExactlyAndKeepNineDecimals() {
        assertThat(TokenCost.classCost(1_000, new BigDecimal("2.50"))).isEqualByComparingTo("0.0025")
                .hasScaleOf(9);
        assertThat(TokenCost.classCost(1_234_567, new BigDecimal("0.15")).toPlainString()).isEqualTo("0.185185050");
    }

    @Test
    void shouldRoundHalfEvenAtTheNinthDecimal() {
        // 1 token at 0.0005 USD/Mtok = 0.0000000005: exactly half, rounds to the even 0
        assertThat(TokenCost.classCost(1, new BigDecimal("0.0005")).toPlainString()).isEqualTo("0.000000000");
        // 3 tokens: 0.0000000015, rounds to the even 2
        assertThat(TokenCost.classCost(3, new BigDecimal("0.0005")).toPlainString()).isEqualTo("0.000000002");
        // 1 token at 0.0015: 0.0000000015 -> 0.000000002; at 0.0025: 0.0000000025 -> 0.000000002
        assertThat(TokenCost.classCost(1, new BigDecimal("0.0025")).toPlainString()).isEqualTo("0.000000002");
    }

    @Test
    void shouldBeZeroAtScaleNineForNoTokensOrAFreeClass() {
        assertThat(TokenCost.classCost(0, new BigDecimal("10")).toPlainString()).isEqualTo("0.000000000");
        assertThat(TokenCost.classCost(10, BigDecimal.ZERO).toPlainString()).isEqualTo("0.000000000");
    }

    @Test
    void shouldRefuseNegativeTokenCounts() {
        assertThatThrownBy(() -> TokenCost.classCost(-1, BigDecimal.ONE)).isInstanceOf(IllegalArgumentException.class);
    }
}
