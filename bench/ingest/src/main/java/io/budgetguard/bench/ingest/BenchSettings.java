package io.budgetguard.bench.ingest;

/**
 * What the ingest benchmark does, from system properties ({@code -Dbench.x=…}); bench/run.sh passes them through.
 *
 * @param tenants          tenants (and keys) the load is spread over; usage is keyed by tenant, so this is also the
 *                         number of distinct record keys the raw producer uses
 * @param lingerMs         {@code INGEST_LINGER_MS} of the ingest instance (the batching producer, measured in (b)), and
 *                         the raw producer's linger
 * @param rawWarmup        records the raw producer sends before measuring
 * @param rawRecords       records the raw producer measurement sends
 * @param httpConnections  concurrent connections of the batched HTTP load, one request at a time each
 * @param httpBatch        events per request in (b)
 * @param httpWarmupS      seconds of (b) before measuring
 * @param httpSeconds      seconds (b) is measured
 * @param singleRps        constant arrival rate of single-event requests in (c), of records in (d1), of requests in (d2)
 * @param singleWarmupS    seconds of (c), and of each floor (d1, d2), before measuring: 60 by default, the steady state
 *                         (after 5 s the one C2 thread of this 2-core JVM is still compiling the request path and
 *                         takes ~230 µs of CPU per request, ~20 µs after 60 s: docs/PERFORMANCE.md, Ingest, session
 *                         13); the warm-up's own p50/p99 are printed too, the cold figure
 * @param singleSeconds    seconds (c), (d1) and (d2) are measured
 * @param singleLingerMs   {@code INGEST_SMALL_LINGER_MS} of the ingest instance (the producer of requests of few events,
 *                         measured in (c)); equal to {@code lingerMs}, one producer serves both
 * @param singleConnections keep-alive connections the due requests of (c) are spread over
 * @param rounds           (a) then (b) are measured this many times, alternating, so that a change in the machine's
 *                         background load hits both; the medians are reported
 */
record BenchSettings(int tenants, int lingerMs, int rawWarmup, int rawRecords, int httpConnections, int httpBatch,
        int httpWarmupS, int httpSeconds, int singleRps, int singleWarmupS, int singleSeconds, int singleLingerMs,
        int singleConnections, int rounds) {

    static BenchSettings fromSystemProperties() {
        int linger = Integer.getInteger("bench.lingerMs", io.budgetguard.ingest.IngestConfig.DEFAULT_LINGER_MS);
        return new BenchSettings(
                Integer.getInteger("bench.tenants", 6),
                linger,
                Integer.getInteger("bench.rawWarmup", 300_000),
                Integer.getInteger("bench.rawRecords", 1_500_000),
                Integer.getInteger("bench.httpConnections", 8),
                Integer.getInteger("bench.httpBatch", 500),
                Integer.getInteger("bench.httpWarmupSeconds", 5),
                Integer.getInteger("bench.httpSeconds", 8),
                Integer.getInteger("bench.singleRps", 2000),
                Integer.getInteger("bench.singleWarmupSeconds", 60),
                Integer.getInteger("bench.singleSeconds", 20),
                Integer.getInteger("bench.singleLingerMs", io.budgetguard.ingest.IngestConfig.DEFAULT_SMALL_LINGER_MS),
                Integer.getInteger("bench.singleConnections", 32),
                Integer.getInteger("bench.rounds", 3));
    }
}
