package io.budgetguard.metering.budget;

import java.time.Instant;

/**
 * Keys of the budget state stores (alert marks here, spend totals in {@link SpendByDay}). They start with the end of
 * the period they belong to as 13 zero-padded decimal digits of epoch millis, so that a store's byte order is
 * period-end order and expired periods can be purged with one range scan from the start, never a scan of the whole
 * store. Parts are separated by NUL, which no tenant id, API key id or model name contains.
 */
public final class StoreKeys {

    private static final char SEPARATOR = '\u0000';
    private static final int TIME_DIGITS = 13;

    private StoreKeys() {}

    /** Key remembering that the alert {@code alertId} of a period ending at {@code periodEnd} was emitted. */
    public static String alerted(Instant periodEnd, String alertId) {
        return paddedMillis(periodEnd) + SEPARATOR + alertId;
    }

    /**
     * The greatest key a range scan from the start must reach to cover every period that ended before
     * {@code cutoff}: keys of a period ending at {@code cutoff} or later sort after it.
     */
    public static String endedBefore(Instant cutoff) {
        return paddedMillis(cutoff);
    }

    static String paddedMillis(Instant instant) {
        return paddedMillis(instant.toEpochMilli());
    }

    static String paddedMillis(long epochMillis) {
        String digits = Long.toString(Math.max(0, epochMillis));
        return "0".repeat(Math.max(0, TIME_DIGITS - digits.length())) + digits;
    }
}
