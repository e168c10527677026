package io.budgetguard.ingest.usage;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A strict, allocation-light parser of RFC 3339 timestamps ({@code 2025-03-01T12:34:56.789Z},
 * {@code 2025-03-01T13:34:56+01:00}): four-digit year, {@code T} (or {@code t}), seconds required, an optional
 * fraction of 1–9 digits, and {@code Z} (or {@code z}) or a numeric offset. The result is truncated to milliseconds,
 * the precision the ledger hashes. Leap seconds ({@code :60}) are refused. It runs once per event, so it avoids
 * {@code DateTimeFormatter} (about ten times slower).
 */
public final class Rfc3339 {

    private Rfc3339() {}

    /** Thrown for a malformed timestamp; stackless because a batch may hold a thousand of them. */
    public static final class InvalidTimestampException extends IllegalArgumentException {
        InvalidTimestampException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** The instant, truncated to milliseconds. */
    public static Instant parse(String text) {
        return Instant.ofEpochMilli(parseEpochMillis(text));
    }

    /** Milliseconds since the epoch (UTC), the fraction truncated to milliseconds. */
    public static long parseEpochMillis(String s) {
        return parseEpochMillis(s.toCharArray(), 0, s.length());
    }

    /**
     * As {@link #parseEpochMillis(String)}, over {@code chars[offset, offset + length)}: the usage reader parses the
     * JSON parser's own buffer, without a string per event.
     */
    public static long parseEpochMillis(char[] chars, int offset, int length) {
        return new Cursor(chars, offset, length).epochMillis();
    }

    /** The text being parsed; {@code charAt} is relative to the offset. */
    private record Cursor(char[] chars, int offset, int length) {

        char charAt(int i) {
            return chars[offset + i];
        }

        long epochMillis() {
            Cursor s = this;
            int n = length;
            if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') {
                throw invalid();
            }
            char t = s.charAt(10);
            if (t != 'T' && t != 't') {
                throw invalid();
            }
            int year = digits(s, 0, 4);
            int month = digits(s, 5, 2);
            int day = digits(s, 8, 2);
            int hour = digits(s, 11, 2);
            int minute = digits(s, 14, 2);
            int second = digits(s, 17, 2);
            if (hour > 23 || minute > 59 || second > 59) {
                throw new InvalidTimestampException("must be an RFC 3339 time: hour 00-23, minute and second 00-59");
            }
            int i = 19;
            int millis = 0;
            if (s.charAt(i) == '.') {
                int start = ++i;
                while (i < n && isDigit(s.charAt(i))) {
                    if (i - start < 3) {
                        millis = millis * 10 + (s.charAt(i) - '0');
                    }
                    i++;
                }
                int fractionDigits = i - start;
                if (fractionDigits == 0 || fractionDigits > 9) {
                    throw new InvalidTimestampException("must be an RFC 3339 time: the fraction of a second has 1 to 9 digits");
                }
                for (int k = fractionDigits; k < 3; k++) {
                    millis *= 10;
                }
            }
            if (i >= n) {
                throw new InvalidTimestampException("must be an RFC 3339 time with an offset (Z or +hh:mm)");
            }
            int offsetSeconds;
            char z = s.charAt(i);
            if (z == 'Z' || z == 'z') {
                offsetSeconds = 0;
                i++;
            } else if (z == '+' || z == '-') {
                if (n - i != 6 || s.charAt(i + 3) != ':') {
                    throw new InvalidTimestampException("must be an RFC 3339 time: offset as +hh:mm or -hh:mm");
                }
                int offsetHours = digits(s, i + 1, 2);
                int offsetMinutes = digits(s, i + 4, 2);
                if (offsetHours > 23 || offsetMinutes > 59) {
                    throw new InvalidTimestampException("must be an RFC 3339 time: offset hour 00-23, minute 00-59");
                }
                offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (z == '-' ? -1 : 1);
                i += 6;
            } else {
                throw new InvalidTimestampException("must be an RFC 3339 time with an offset (Z or +hh:mm)");
            }
            if (i != n) {
                throw invalid();
            }
            long epochDay;
            try {
                epochDay = LocalDate.of(year, month, day).toEpochDay();
            } catch (DateTimeException e) {
                throw new InvalidTimestampException("must be an RFC 3339 time: " + year + "-" + pad(month) + "-" + pad(day)
                        + " is not a calendar date");
            }
            long epochSecond = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
            return epochSecond * 1000L + millis;
        }
    }

    private static int digits(Cursor s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                throw invalid();
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String pad(int value) {
        return value < 10 ? "0" + value : String.valueOf(value);
    }

    private static InvalidTimestampException invalid() {
        return new InvalidTimestampException("must be an RFC 3339 time such as 2025-03-01T12:34:56.789Z");
    }
}
