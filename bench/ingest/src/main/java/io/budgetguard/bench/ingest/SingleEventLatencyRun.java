package io.budgetguard.bench.ingest;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * (c) Single-event {@code POST /v1/usage} latency at a constant arrival rate (open loop, as wrk2 does): request
 * {@code i} is due at {@code start + i / rate} whether or not earlier ones were answered, and its latency is measured
 * from that due time, not from when a connection got round to sending it — so a stalled server or a busy sender shows
 * up in the percentiles instead of silently lowering the rate (coordinated omission). A fixed set of keep-alive
 * connections ({@link LeanHttpConnection}, one worker thread each) takes due requests from a queue.
 *
 * <p>The same generator, connections and rate also measure (d2), the HTTP floor: {@code GET /health/live} of the same
 * ingest instance ({@link Target#healthLive}), a route that does not produce to Kafka.
 */
final class SingleEventLatencyRun {

    /**
     * A measured phase: latencies from each request's due time, over the measured seconds; {@code warmupP50Millis} and
     * {@code warmupP99Millis} over the warm-up's requests (the cold figure, JIT compiling); {@code host} the machine's
     * stolen and idle time over the measured seconds.
     */
    record Result(long requests, double requestsPerSecond, double p50Millis, double p90Millis, double p99Millis,
            double p999Millis, double maxMillis, long errors, double cpuPercent, String firstError,
            String maxBySecond, String cpuByThreadGroup, double warmupP50Millis, double warmupP99Millis,
            HostCpu.Share host) {}

    /**
     * What each connection sends: a new connection, the body of request {@code i} (ignored by a {@code GET}) and the
     * status that counts as success.
     */
    record Target(java.util.function.Supplier<LeanHttpConnection> connection, java.util.function.IntFunction<byte[]> body,
            int expectedStatus) {

        /** Single-event {@code POST /v1/usage} of {@code tenant}, a new event id each: 202. */
        static Target usage(String ingestUrl, BenchStack.Tenant tenant, SampleEvents samples, int requests) {
            URI base = URI.create(ingestUrl);
            String authorization = "Bearer " + tenant.apiKey();
            byte[][] bodies = new byte[requests][];
            for (int i = 0; i < requests; i++) {
                bodies[i] = samples.json("s-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            return new Target(() -> new LeanHttpConnection(base, "/v1/usage", authorization), i -> bodies[i], 202);
        }

        /**
         * {@code GET /health/live}: Jetty, Javalin and a 15-byte JSON answer, written on the request thread; no
         * authentication, body, Avro or Kafka.
         */
        static Target healthLive(String ingestUrl) {
            URI base = URI.create(ingestUrl);
            return new Target(() -> LeanHttpConnection.get(base, "/health/live"), i -> null, 200);
        }
    }

    private record Due(int index, long dueNanos) {}

    private static final Due STOP = new Due(-1, 0);

    private SingleEventLatencyRun() {}

    /** (c): single-event {@code POST /v1/usage}. */
    static Result run(String ingestUrl, BenchStack.Tenant tenant, SampleEvents samples, int rps, int warmupSeconds,
            int seconds, int connections) throws InterruptedException {
        return run(Target.usage(ingestUrl, tenant, samples, rps * (warmupSeconds + seconds)), rps, warmupSeconds,
                seconds, connections, "bench-single-");
    }

    static Result run(Target target, int rps, int warmupSeconds, int seconds, int connections, String threadPrefix)
            throws InterruptedException {
        LatencySamples samples = new LatencySamples(rps, warmupSeconds, seconds);
        LinkedBlockingQueue<Due> queue = new LinkedBlockingQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread worker = new Thread(() -> {
                try (LeanHttpConnection http = target.connection().get()) {
                    for (Due due = queue.take(); due != STOP; due = queue.take()) {
                        String error = null;
                        try {
                            LeanHttpConnection.Answer answer = http.send(target.body().apply(due.index()));
                            if (answer.status() != target.expectedStatus()) {
                                error = answer.status() + " " + answer.body();
                            }
                        } catch (java.io.IOException e) {
                            error = e.toString();
                        }
                        samples.record(due.index(), System.nanoTime() - due.dueNanos(), error);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, threadPrefix + c);
            worker.start();
            workers.add(worker);
        }
        CpuMeter cpu = new CpuMeter();
        double measuredSeconds = samples.paceOpenLoop(cpu, (index, due) -> queue.add(new Due(index, due)));
        HostCpu.Share host = cpu.host();
        // before the workers end: the CPU time of a thread that ended is no longer known
        String cpuByThreadGroup = cpu.cpuMicrosByThreadGroup(samples.total() - samples.warmup());
        for (int c = 0; c < connections; c++) {
            queue.add(STOP);
        }
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(60));
        }
        return samples.result(measuredSeconds, cpu.percentOfAllCores(), cpuByThreadGroup, host);
    }

    /** The worst latency of each second, in ms with one decimal, space-separated. */
    static String worstBySecond(long[] worstNanos) {
        return Arrays.stream(worstNanos).mapToObj(n -> String.format(java.util.Locale.ROOT, "%.1f", n / 1e6))
                .collect(java.util.stream.Collectors.joining(" "));
    }

    /** The {@code quantile} of sorted nanosecond latencies, in ms (nearest rank); NaN when there are none. */
    static double percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1));
        return sorted[rank] / 1e6;
    }
}
