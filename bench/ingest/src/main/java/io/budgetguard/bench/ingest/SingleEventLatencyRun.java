package io.budgetguard.bench.ingest;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * (c) Single-event {@code POST /v1/usage} latency at a constant arrival rate (open loop, as wrk2 does): request
 * {@code i} is due at {@code start + i / rate} whether or not earlier ones were answered, and its latency is measured
 * from that due time, not from when a connection got round to sending it — so a stalled server or a busy sender shows
 * up in the percentiles instead of silently lowering the rate (coordinated omission). A fixed set of keep-alive
 * connections ({@link LeanHttpConnection}, one worker thread each) takes due requests from a queue.
 */
final class SingleEventLatencyRun {

    record Result(long requests, double requestsPerSecond, double p50Millis, double p90Millis, double p99Millis,
            double p999Millis, double maxMillis, long errors, double cpuPercent, String firstError,
            String maxBySecond, String cpuByThreadGroup) {}

    private record Due(int index, long dueNanos) {}

    private static final Due STOP = new Due(-1, 0);

    private SingleEventLatencyRun() {}

    static Result run(String ingestUrl, BenchStack.Tenant tenant, SampleEvents samples, int rps, int warmupSeconds,
            int seconds, int connections) throws InterruptedException {
        URI usage = URI.create(ingestUrl);
        int warmup = rps * warmupSeconds;
        int total = warmup + rps * seconds;
        long[] latencies = new long[total - warmup];
        long[] worstBySecond = new long[warmupSeconds + seconds];
        AtomicInteger recorded = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        String authorization = "Bearer " + tenant.apiKey();
        byte[][] bodies = new byte[total][];
        for (int i = 0; i < total; i++) {
            bodies[i] = samples.json("s-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        LinkedBlockingQueue<Due> queue = new LinkedBlockingQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread worker = new Thread(() -> {
                try (LeanHttpConnection http = new LeanHttpConnection(usage, "/v1/usage", authorization)) {
                    for (Due due = queue.take(); due != STOP; due = queue.take()) {
                        String error = null;
                        try {
                            LeanHttpConnection.Answer answer = http.post(bodies[due.index()]);
                            if (answer.status() != 202) {
                                error = answer.status() + " " + answer.body();
                            }
                        } catch (java.io.IOException e) {
                            error = e.toString();
                        }
                        long latency = System.nanoTime() - due.dueNanos();
                        int second = due.index() / rps;
                        synchronized (worstBySecond) {
                            worstBySecond[second] = Math.max(worstBySecond[second], latency);
                        }
                        if (due.index() >= warmup) {
                            if (error == null) {
                                latencies[recorded.getAndIncrement()] = latency;
                            } else {
                                errors.incrementAndGet();
                                synchronized (firstError) {
                                    if (firstError[0] == null) {
                                        firstError[0] = error;
                                    }
                                }
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-single-" + c);
            worker.start();
            workers.add(worker);
        }
        double interval = 1e9 / rps;
        CpuMeter cpu = new CpuMeter();
        long start = System.nanoTime() + 50_000_000L;
        long measureStart = start + (long) (warmup * interval);
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * interval);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (i == warmup) {
                cpu.start();
            }
            queue.add(new Due(i, due));
        }
        long sendingEnded = System.nanoTime();
        // before the workers end: the CPU time of a thread that ended is no longer known
        String cpuByThreadGroup = cpu.cpuMicrosByThreadGroup(total - warmup);
        for (int c = 0; c < connections; c++) {
            queue.add(STOP);
        }
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(60));
        }
        double cpuPercent = cpu.percentOfAllCores();
        int count = recorded.get();
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        double measuredSeconds = (sendingEnded - measureStart) / 1e9;
        return new Result(count + errors.get(), (count + errors.get()) / measuredSeconds, percentile(sorted, 0.50),
                percentile(sorted, 0.90), percentile(sorted, 0.99), percentile(sorted, 0.999),
                count == 0 ? 0 : sorted[count - 1] / 1e6, errors.get(), cpuPercent, firstError[0],
                Arrays.stream(worstBySecond).mapToObj(n -> String.format(java.util.Locale.ROOT, "%.1f", n / 1e6))
                        .collect(java.util.stream.Collectors.joining(" ")), cpuByThreadGroup);
    }

    private static double percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1));
        return sorted[rank] / 1e6;
    }
}
