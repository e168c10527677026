package io.budgetguard.bench.streams;

/**
 * What the streams benchmark does, from system properties ({@code -Dbench.x=…}); bench/run.sh passes them through.
 *
 * @param events         events preloaded to {@code usage.events.v1} (6 partitions) and read by every measured run
 * @param tenants        tenants the preloaded events are spread over (each with three budgets)
 * @param warmup         run each topology once over the input, unmeasured, before measuring (JIT, page cache)
 * @param latencyRate    events per second of the alert-latency phase
 * @param latencySeconds duration of the alert-latency phase
 * @param latencyWarmupSeconds duration of one unmeasured alert phase before it, on tenants of its own (0: none);
 *                       20 s: after 5 s the JIT still took ~55 µs of CPU per event in the measured phase, ~36
 *                       after 20 s (docs/PERFORMANCE.md, Streams, session 12)
 * @param latencyWarmupMaxSeconds further warm-up phases of {@code latencyWarmupSeconds} each follow the first while the
 *                       JIT compiler threads used more than {@code jitQuietPercent} of one core in the last one, up to
 *                       this many seconds of warm-up in all (the JIT's queue after the first alerts took 60–100 s to
 *                       drain on two cores: docs/PERFORMANCE.md, Streams, session 15); the floor's warm-up likewise
 * @param jitQuietPercent share of one core (%) the JIT may use in a warm-up phase for the warm-up to end
 * @param latencyTenants tenants of the alert-latency phase, each with a daily budget whose ten thresholds (10 … 100 %)
 *                       are crossed evenly over the phase
 * @param commitIntervalMs {@code commit.interval.ms} of both topologies (default: the service's, 100 ms)
 * @param rounds         measured rounds; each runs the pass-through, then the metering topology, on fresh applications
 * @param restore        finish with the restore of the last metering application from its changelogs (~45 s)
 * @param latencyFloor   after the alert phases, the same load through the pass-through topology, its end-to-end
 *                       latency measured the same way: the floor the alert latency stands on (~45 s)
 */
record BenchSettings(int events, int tenants, boolean warmup, int latencyRate, int latencySeconds,
        int latencyWarmupSeconds, int latencyWarmupMaxSeconds, int jitQuietPercent, int latencyTenants,
        int commitIntervalMs, int rounds, boolean restore, boolean latencyFloor) {

    static BenchSettings fromSystemProperties() {
        return new BenchSettings(
                Integer.getInteger("bench.events", 300_000),
                Integer.getInteger("bench.tenants", 200),
                Boolean.parseBoolean(System.getProperty("bench.warmup", "true")),
                Integer.getInteger("bench.latencyRate", 10_000),
                Integer.getInteger("bench.latencySeconds", 20),
                Integer.getInteger("bench.latencyWarmupSeconds", 20),
                Integer.getInteger("bench.latencyWarmupMaxSeconds", 120),
                Integer.getInteger("bench.jitQuietPercent", 15),
                Integer.getInteger("bench.latencyTenants", 500),
                Integer.getInteger("bench.commitIntervalMs", 100),
                Integer.getInteger("bench.rounds", 3),
                Boolean.parseBoolean(System.getProperty("bench.restore", "true")),
                Boolean.parseBoolean(System.getProperty("bench.latencyFloor", "true")));
    }
}
