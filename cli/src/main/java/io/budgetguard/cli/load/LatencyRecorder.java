package io.budgetguard.cli.load;

import java.util.Arrays;

/**
 * Request latencies, for percentiles over the whole run and over the latest interval. Thread-safe; one long per
 * request (the load generator makes thousands of requests a second at most, so plain arrays do).
 */
final class LatencyRecorder {

    /** Percentiles in milliseconds; {@code count} 0 means no request finished. */
    record Percentiles(long count, double p50Millis, double p99Millis, double maxMillis) {}

    private long[] all = new long[1024];
    private int allCount;
    private long[] interval = new long[256];
    private int intervalCount;

    synchronized void record(long nanos) {
        if (allCount == all.length) {
            all = Arrays.copyOf(all, all.length * 2);
        }
        all[allCount++] = nanos;
        if (intervalCount == interval.length) {
            interval = Arrays.copyOf(interval, interval.length * 2);
        }
        interval[intervalCount++] = nanos;
    }

    /** The latest interval's percentiles, starting a new interval. */
    synchronized Percentiles takeInterval() {
        Percentiles result = percentiles(interval, intervalCount);
        intervalCount = 0;
        return result;
    }

    synchronized Percentiles overall() {
        return percentiles(all, allCount);
    }

    static Percentiles percentiles(long[] values, int count) {
        if (count == 0) {
            return new Percentiles(0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return new Percentiles(count, millis(sorted[rank(count, 0.50)]), millis(sorted[rank(count, 0.99)]),
                millis(sorted[count - 1]));
    }

    /** Nearest-rank percentile index. */
    private static int rank(int count, double quantile) {
        return Math.min(count - 1, Math.max(0, (int) Math.ceil(quantile * count) - 1));
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
