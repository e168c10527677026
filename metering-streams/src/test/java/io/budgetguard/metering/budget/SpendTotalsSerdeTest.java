package io.budgetguard.metering.budget;

import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SpendTotalsSerdeTest {

    private final SpendTotalsSerde serde = new SpendTotalsSerde();

    @Test
    void shouldRoundTripLargeAndTinyAmountsExactly() {
        for (SpendTotals totals : new SpendTotals[] {
                SpendTotals.ZERO,
                new SpendTotals(usd("0.000000001"), 1, 2, 3, 4, 5),
                new SpendTotals(usd("99999999999.999999999"), Long.MAX_VALUE, 0, 0, 0, Long.MAX_VALUE)}) {
            assertThat(serde.deserialize("t", serde.serialize("t", totals))).isEqualTo(totals);
        }
    }

    @Test
    void shouldRefuseAnUnknownFormatVersion() {
        byte[] bytes = serde.serialize("t", SpendTotals.ZERO);
        bytes[0] = 9;

        assertThatThrownBy(() -> serde.deserialize("t", bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 9");
    }
}
