package io.budgetguard.client;

import java.time.Duration;

/**
 * Told about every answer (or I/O failure) of every request the client makes, e.g. to measure latency or count
 * retries. Called on the client's HTTP threads: keep it short and never block.
 */
@FunctionalInterface
public interface RequestListener {

    /**
     * @param events    events the request carried
     * @param attempt   1 for the first attempt, 2 for the first retry, …
     * @param status    the HTTP status, 0 when the attempt got no answer (I/O error, timeout)
     * @param latency   from sending the request to its answer (or failure)
     * @param willRetry whether the client will send the same request again
     */
    record Outcome(int events, int attempt, int status, Duration latency, boolean willRetry) {}

    void onOutcome(Outcome outcome);

    RequestListener NONE = outcome -> { };
}
