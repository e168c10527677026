package io.budgetguard.ledger.chain;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The canonical form the ledger hashes: a JSON array of strings, no whitespace, strings escaped exactly as RFC 8785
 * (JCS) does — {@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control characters as lowercase <code>&#92;u00xx</code>,
 * every other character literal (including {@code /}, DEL and U+2028) — encoded as UTF-8.
 *
 * <p>Hand-written on purpose: general JSON writers differ in exactly these details (Jackson writes uppercase hex), and
 * anyone must be able to reproduce the bytes with any tool.
 */
public final class CanonicalJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {}

    /** The UTF-8 bytes of {@code ["a","b",...]}. */
    public static byte[] array(List<String> values) {
        StringBuilder out = new StringBuilder(256);
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            appendString(out, values.get(i));
        }
        return out.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Appends {@code value} as a JSON string. Refuses a lone UTF-16 surrogate: it has no UTF-8 form, and RFC 8785
     * requires valid Unicode.
     */
    public static void appendString(StringBuilder out, String value) {
        if (value == null) {
            throw new IllegalArgumentException("Canonical JSON has no null: an absent value is the empty string");
        }
        out.append('"');
        int length = value.length();
        if (plain(value)) {
            // the common case (ids, model names, decimals): nothing to escape, one copy
            out.append(value).append('"');
            return;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < length
                            && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new IllegalArgumentException(
                                "Not valid Unicode: lone surrogate U+" + Integer.toHexString(c) + " at index " + i);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** True when {@code value} has no character that needs escaping and no surrogate to check. */
    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
