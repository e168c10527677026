package io.budgetguard.ingest.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {

    @Test
    void shouldParseUtcWithoutFraction() {
        assertThat(Rfc3339.parse("2025-03-01T12:34:56Z")).isEqualTo(Instant.parse("2025-03-01T12:34:56Z"));
    }

    @Test
    void shouldTruncateTheFractionToMilliseconds() {
        assertThat(Rfc3339.parse("2025-03-01T12:34:56.123987654Z")).isEqualTo(Instant.parse("2025-03-01T12:34:56.123Z"));
        assertThat(Rfc3339.parse("2025-03-01T12:34:56.9Z")).isEqualTo(Instant.parse("2025-03-01T12:34:56.900Z"));
        assertThat(Rfc3339.parse("2025-03-01T12:34:56.05Z")).isEqualTo(Instant.parse("2025-03-01T12:34:56.050Z"));
    }

    @Test
    void shouldApplyNumericOffsets() {
        assertThat(Rfc3339.parse("2025-03-01T13:34:56.5+01:00")).isEqualTo(Instant.parse("2025-03-01T12:34:56.500Z"));
        assertThat(Rfc3339.parse("2025-03-01T07:04:56-05:30")).isEqualTo(Instant.parse("2025-03-01T12:34:56Z"));
        assertThat(Rfc3339.parse("2025-03-01T12:34:56+00:00")).isEqualTo(Instant.parse("2025-03-01T12:34:56Z"));
    }

    @Test
    void shouldAcceptLowerCaseSeparators() {
        assertThat(Rfc3339.parse("2025-03-01t12:34:56z")).isEqualTo(Instant.parse("2025-03-01T12:34:56Z"));
    }

    @Test
    void shouldAcceptLeapDays() {
        assertThat(Rfc3339.parse("2024-02-29T00:00:00Z")).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
    }

    @Test
    void shouldAgreeWithInstantParseAcrossManyInstants() {
        long start = Instant.parse("1999-12-31T23:59:59.999Z").toEpochMilli();
        for (long millis = start; millis < start + 40L * 366 * 86_400_000L; millis += 7_919_993_311L) {
            Instant expected = Instant.ofEpochMilli(millis);
            assertThat(Rfc3339.parse(expected.toString())).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "2025-03-01", "2025-03-01T12:34:56", "2025-03-01 12:34:56Z", "2025-03-01T12:34Z", "25-03-01T12:34:56Z",
        "2025-3-01T12:34:56Z", "2025-02-30T12:00:00Z", "2025-13-01T12:00:00Z", "2025-03-01T24:00:00Z",
        "2025-03-01T12:60:00Z", "2025-03-01T12:34:60Z", "2025-03-01T12:34:56.Z", "2025-03-01T12:34:56.1234567890Z",
        "2025-03-01T12:34:56+0100", "2025-03-01T12:34:56+01", "2025-03-01T12:34:56+24:00", "2025-03-01T12:34:56ZZ",
        "2025-03-01T12:34:56Z ", "x025-03-01T12:34:56Z", "2025-03-01T12:34:56.12a+01:00", "1741000000"
    })
    void shouldRefuseWhatIsNotStrictRfc3339(String text) {
        assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(Rfc3339.InvalidTimestampException.class)
                .hasMessageStartingWith("must be an RFC 3339 time");
    }
}
