package io.budgetguard.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalJsonTest {

    private static String json(String... values) {
        return new String(CanonicalJson.array(List.of(values)), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteAnArrayWithoutWhitespace() {
        assertThat(json("a", "b c", "")).isEqualTo("[\"a\",\"b c\",\"\"]");
    }

    @Test
    void shouldWriteAnEmptyArray() {
        assertThat(json()).isEqualTo("[]");
    }

    @Test
    void shouldWriteEmptyStringsAsTwoQuotes() {
        assertThat(json("", "")).isEqualTo("[\"\",\"\"]");
    }

    @Test
    void shouldEscapeQuoteAndBackslash() {
        assertThat(json("a\"b\\c")).isEqualTo("[\"a\\\"b\\\\c\"]");
    }

    @ParameterizedTest(name = "U+{0} → {1}")
    @CsvSource({"0008, \\b", "000c, \\f", "000a, \\n", "000d, \\r", "0009, \\t"})
    void shouldUseTheShortEscapesOfRfc8785(String codePoint, String escape) {
        String value = String.valueOf((char) Integer.parseInt(codePoint, 16));
        assertThat(json(value)).isEqualTo("[\"" + escape + "\"]");
    }

    @ParameterizedTest(name = "U+{0}")
    @CsvSource({"0000, \\u0000", "0001, \\u0001", "000b, \\u000b", "000e, \\u000e", "001b, \\u001b", "001f, \\u001f"})
    void shouldEscapeOtherControlCharactersWithLowercaseHex(String codePoint, String escape) {
        String value = String.valueOf((char) Integer.parseInt(codePoint, 16));
        assertThat(json(value)).isEqualTo("[\"" + escape + "\"]");
    }

    @Test
    void shouldKeepSlashDeleteAndLineSeparatorLiteral() {
        assertThat(json("/\u007f\u2028\u2029")).isEqualTo("[\"/\u007f\u2028\u2029\"]");
    }

    @Test
    void shouldEncodeNonAsciiAsLiteralUtf8() {
        byte[] bytes = CanonicalJson.array(List.of("é模😀"));

        assertThat(bytes).containsExactly(0x5b, 0x22, 0xc3, 0xa9, 0xe6, 0xa8, 0xa1, 0xf0, 0x9f, 0x98, 0x80, 0x22, 0x5d);
    }

    @Test
    void shouldRefuseALoneSurrogate() {
        assertThatThrownBy(() -> json("a\ud800b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lone surrogate");
    }

    @Test
    void shouldRefuseNull() {
        assertThatThrownBy(() -> CanonicalJson.appendString(new StringBuilder(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty string");
    }

    @Test
    void shouldMatchPythonsJsonDumpsForEveryEscape() {
        // What Python's json.dumps(..., ensure_ascii=False, separators=(",", ":")) writes for the same string.
        String expected = "[\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u007f\u2028é\"]";

        assertThat(json("q\"b\\s/\b\f\n\r\t\u0000\u0001\u001f\u007f\u2028é")).isEqualTo(expected);
    }
}
