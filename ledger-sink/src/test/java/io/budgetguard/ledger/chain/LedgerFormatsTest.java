package io.budgetguard.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LedgerFormatsTest {

    @Test
    void shouldFormatTimestampsInUtcWithMilliseconds() {
        assertThat(LedgerFormats.timestamp(Instant.parse("2025-03-01T12:00:00Z"))).isEqualTo("2025-03-01T12:00:00.000Z");
        assertThat(LedgerFormats.timestamp(Instant.parse("2025-03-01T13:00:00.12+01:00")))
                .isEqualTo("2025-03-01T12:00:00.120Z");
    }

    @Test
    void shouldAppendTimestampsExactlyAsTheFormatterWrites() {
        java.util.Random random = new java.util.Random(42);
        java.util.List<Instant> instants = new java.util.ArrayList<>(java.util.List.of(Instant.EPOCH,
                Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("2025-03-01T00:00:00.007Z"), Instant.parse("1969-12-31T23:59:59.999Z")));
        for (int i = 0; i < 10_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L),
                    random.nextInt(1_000_000_000)));
        }
        for (Instant instant : instants) {
            StringBuilder appended = new StringBuilder();
            LedgerFormats.appendTimestamp(appended, instant);
            assertThat(appended.toString()).as(instant.toString()).isEqualTo(LedgerFormats.timestamp(instant));
        }
    }

    @Test
    void shouldTruncateSubMillisecondTime() {
        Instant micro = Instant.parse("2025-03-01T12:00:00.123999Z");

        assertThat(LedgerFormats.toMillis(micro)).isEqualTo(Instant.parse("2025-03-01T12:00:00.123Z"));
        assertThat(LedgerFormats.timestamp(micro)).isEqualTo("2025-03-01T12:00:00.123Z");
    }

    @Test
    void shouldWriteCostWithExactlyNineFractionDigits() {
        assertThat(LedgerFormats.cost(new BigDecimal("0.007125"))).isEqualTo("0.007125000");
        assertThat(LedgerFormats.cost(BigDecimal.ZERO)).isEqualTo("0.000000000");
        assertThat(LedgerFormats.cost(new BigDecimal("12"))).isEqualTo("12.000000000");
        assertThat(LedgerFormats.cost(new BigDecimal("0.000000001"))).isEqualTo("0.000000001");
    }

    @Test
    void shouldWriteCostAsPlainDecimalNeverScientific() {
        assertThat(LedgerFormats.cost(new BigDecimal("1E+3"))).isEqualTo("1000.000000000");
        assertThat(LedgerFormats.cost(new BigDecimal("1E-9"))).isEqualTo("0.000000001");
    }

    @Test
    void shouldAcceptTrailingZerosBeyondNineDigits() {
        assertThat(LedgerFormats.cost(new BigDecimal("0.1000000000000"))).isEqualTo("0.100000000");
    }

    @Test
    void shouldRefuseCostWithMoreThanNineSignificantFractionDigits() {
        assertThatThrownBy(() -> LedgerFormats.cost(new BigDecimal("0.0000000001")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 9 fraction digits");
    }
}
