package io.budgetguard.cli.load;

import java.time.Duration;

/**
 * How a load run went.
 *
 * @param distinct   distinct events sent
 * @param duplicates events sent again with an event id already sent
 * @param acked      sends the server acknowledged (duplicates included)
 * @param rejected   sends refused for good (4xx: invalid event, bad key)
 * @param lost       sends not acknowledged after every retry (or the queue stayed full)
 * @param retries    requests retried
 * @param requests   requests answered or failed, retries included
 * @param latency    request latency over the run
 */
public record LoadReport(long distinct, long duplicates, long acked, long rejected, long lost, long retries,
        long requests, Duration elapsed, LatencyRecorder.Percentiles latency, String budgetStatus) {

    public long sent() {
        return distinct + duplicates;
    }

    /** Every event sent was acknowledged. */
    public boolean complete() {
        return rejected == 0 && lost == 0 && acked == sent();
    }

    public double eventsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds == 0 ? 0 : acked / seconds;
    }

    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "done in %.1f s: %d events sent (%d distinct + %d duplicates), acked=%d rejected=%d lost=%d, "
                        + "%d requests, %d retried; %.0f events/s; request latency p50=%.1f ms p99=%.1f ms max=%.1f ms; "
                        + "budget status %s",
                elapsed.toNanos() / 1e9, sent(), distinct, duplicates, acked, rejected, lost, requests, retries,
                eventsPerSecond(), latency.p50Millis(), latency.p99Millis(), latency.maxMillis(), budgetStatus);
    }
}
