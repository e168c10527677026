package io.budgetguard.bench.ingest;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * (b) Events per second through {@code POST /v1/usage}: {@code connections} threads, each with its own keep-alive
 * connection ({@link LeanHttpConnection}) and tenant, sending pre-built requests of {@code batch} events back to back (closed loop: throughput, not latency).
 * Bodies are built before the run so that the load generator spends its CPU on HTTP only.
 */
final class BatchedHttpRun {

    record Result(long events, double seconds, double eventsPerSecond, long requests, long errors, double cpuPercent,
            double cpuMicrosPerEvent, String firstError, String cpuByThreadGroup, HostCpu.Share host) {}

    private BatchedHttpRun() {}

    static Result run(String ingestUrl, List<BenchStack.Tenant> tenants, SampleEvents samples, int connections, int batch,
            int warmupSeconds, int seconds) throws InterruptedException {
        URI usage = URI.create(ingestUrl);
        AtomicLong accepted = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        // a second beyond the measured part, so that the load threads are still alive when their CPU time is read
        long end = System.nanoTime() + (warmupSeconds + seconds + 1) * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            BenchStack.Tenant tenant = tenants.get(c % tenants.size());
            List<byte[]> bodies = new ArrayList<>();
            for (int b = 0; b < 8; b++) {
                bodies.add(samples.batch("b" + c + "-" + b, batch).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            Thread thread = new Thread(() -> {
                try (LeanHttpConnection http = new LeanHttpConnection(usage, "/v1/usage", "Bearer " + tenant.apiKey())) {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        try {
                            LeanHttpConnection.Answer answer = http.send(bodies.get(i % bodies.size()));
                            requests.incrementAndGet();
                            if (answer.status() == 202) {
                                accepted.addAndGet(batch);
                            } else {
                                errors.incrementAndGet();
                                synchronized (firstError) {
                                    if (firstError[0] == null) {
                                        firstError[0] = answer.status() + " " + answer.body();
                                    }
                                }
                            }
                        } catch (java.io.IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                }
            }, "bench-http-" + c);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        Thread.sleep(warmupSeconds * 1000L);
        CpuMeter cpu = new CpuMeter();
        long acceptedAtStart = accepted.get();
        long requestsAtStart = requests.get();
        long errorsAtStart = errors.get();
        cpu.start();
        long started = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long events = accepted.get() - acceptedAtStart;
        double elapsed = (System.nanoTime() - started) / 1e9;
        double cpuPercent = cpu.percentOfAllCores();
        HostCpu.Share host = cpu.host();
        double cpuPerEvent = cpu.cpuMicrosPer(events);
        String cpuByThreadGroup = cpu.cpuMicrosByThreadGroup(events);
        long requestCount = requests.get() - requestsAtStart;
        long errorCount = errors.get() - errorsAtStart;
        for (Thread thread : threads) {
            thread.join();
        }
        return new Result(events, elapsed, events / elapsed, requestCount, errorCount, cpuPercent, cpuPerEvent,
                firstError[0], cpuByThreadGroup, host);
    }
}
