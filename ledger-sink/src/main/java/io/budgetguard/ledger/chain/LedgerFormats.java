package io.budgetguard.ledger.chain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** How the canonical array writes times and money (PRODUCT.md §5). */
public final class LedgerFormats {

    /** Fraction digits of {@code cost_usd}: numeric(20,9), 1e-9 USD. */
    public static final int COST_SCALE = 9;

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private LedgerFormats() {}

    /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ} in UTC, e.g. {@code 2025-03-01T12:00:00.120Z}. */
    public static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    /** Appends {@link #timestamp}'s text without allocating a formatter's intermediate objects. */
    public static void appendTimestamp(StringBuilder out, Instant instant) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 0 || year > 9999) {
            out.append(timestamp(instant));
            return;
        }
        pad(out, year, 4).append('-');
        pad(out, t.getMonthValue(), 2).append('-');
        pad(out, t.getDayOfMonth(), 2).append('T');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2).append('.');
        pad(out, t.getNano() / 1_000_000, 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        for (int limit = 10, digits = 1; digits < width; limit *= 10, digits++) {
            if (value < limit) {
                out.append('0');
            }
        }
        return out.append(value);
    }

    /** The ledger keeps milliseconds only, so that the stored value is the hashed value. */
    public static Instant toMillis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Plain decimal with exactly 9 fraction digits, e.g. {@code 0.001250000}. A value with more significant fraction
     * digits is refused rather than rounded: pricing rounds, the ledger only records.
     */
    public static String cost(BigDecimal cost) {
        return normalizeCost(cost).toPlainString();
    }

    /** {@code cost} at scale 9; refuses more than 9 significant fraction digits. */
    public static BigDecimal normalizeCost(BigDecimal cost) {
        if (cost.scale() == COST_SCALE) {
            return cost;
        }
        try {
            return cost.setScale(COST_SCALE, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "cost_usd " + cost.toPlainString() + " has more than " + COST_SCALE + " fraction digits", e);
        }
    }
}
