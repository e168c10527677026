package io.budgetguard.bench.sink;

/**
 * What the sink benchmark does, from system properties ({@code -Dbench.x=…}); bench/run.sh passes them through.
 *
 * @param events        priced events preloaded per round, then appended by the sink and copied raw
 * @param tenants       tenants the events are spread over (one hash chain each)
 * @param partitions    partitions of the priced topic
 * @param personalEvery one event in this many carries an end user and metadata (encrypted); 0 for none
 * @param rounds        rounds of (sink, raw COPY), each on a fresh database and topic; medians are reported
 * @param warmup        run one unmeasured round of a quarter of the events first
 */
record BenchSettings(int events, int tenants, int partitions, int personalEvery, int rounds, boolean warmup) {

    static BenchSettings fromSystemProperties() {
        return new BenchSettings(
                Integer.getInteger("bench.events", 200_000),
                Integer.getInteger("bench.tenants", 20),
                Integer.getInteger("bench.partitions", 6),
                Integer.getInteger("bench.personalEvery", 10),
                Integer.getInteger("bench.rounds", 3),
                Boolean.parseBoolean(System.getProperty("bench.warmup", "true")));
    }
}
