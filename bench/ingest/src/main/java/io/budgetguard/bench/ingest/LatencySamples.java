package io.budgetguard.bench.ingest;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The latencies of one open-loop phase at a fixed rate — request (or record) {@code i} is due at
 * {@code start + i / rate} — recorded from whichever threads see the answers: the warm-up's and the measured part's
 * apart, the worst of every second (warm-up included), errors of the measured part and the first of them.
 */
final class LatencySamples {

    private final int rate;
    private final int warmup;
    private final long[] latencies;
    private final long[] warmupLatencies;
    private final long[] worstBySecond;
    private final AtomicInteger recorded = new AtomicInteger();
    private final AtomicInteger warmupRecorded = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private String firstError;

    LatencySamples(int rate, int warmupSeconds, int seconds) {
        this.rate = rate;
        this.warmup = rate * warmupSeconds;
        this.latencies = new long[rate * seconds];
        this.warmupLatencies = new long[warmup];
        this.worstBySecond = new long[warmupSeconds + seconds];
    }

    /** Number of requests of the warm-up, then of the whole phase. */
    int warmup() {
        return warmup;
    }

    int total() {
        return warmup + latencies.length;
    }

    /** Sends request {@code index}, due at {@code dueNanos} ({@link System#nanoTime()}); its answer is recorded later. */
    interface Dispatch {
        void send(int index, long dueNanos);
    }

    /**
     * Dispatches every request of the phase at its due time, open loop (a late answer does not delay the next request),
     * and starts {@code cpu} at the first measured one; returns the measured part's length in seconds, from its first
     * due time to the last dispatch.
     */
    double paceOpenLoop(CpuMeter cpu, Dispatch dispatch) {
        double interval = 1e9 / rate;
        long start = System.nanoTime() + 50_000_000L;
        long measureStart = start + (long) (warmup * interval);
        for (int i = 0; i < total(); i++) {
            long due = start + (long) (i * interval);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (i == warmup) {
                cpu.start();
            }
            dispatch.send(i, due);
        }
        return (System.nanoTime() - measureStart) / 1e9;
    }

    /** Request {@code index} was answered {@code latencyNanos} after it was due; {@code error} null when it succeeded. */
    void record(int index, long latencyNanos, String error) {
        int second = index / rate;
        synchronized (worstBySecond) {
            worstBySecond[second] = Math.max(worstBySecond[second], latencyNanos);
        }
        if (index < warmup) {
            if (error == null) {
                warmupLatencies[warmupRecorded.getAndIncrement()] = latencyNanos;
            }
        } else if (error == null) {
            latencies[recorded.getAndIncrement()] = latencyNanos;
        } else {
            errors.incrementAndGet();
            synchronized (this) {
                if (firstError == null) {
                    firstError = error;
                }
            }
        }
    }

    /** The phase's figures, once every answer is in. */
    SingleEventLatencyRun.Result result(double measuredSeconds, double cpuPercent, String cpuByThreadGroup,
            HostCpu.Share host) {
        int count = recorded.get();
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        long[] warmupSorted = Arrays.copyOf(warmupLatencies, warmupRecorded.get());
        Arrays.sort(warmupSorted);
        long answered = count + errors.get();
        String worst;
        synchronized (worstBySecond) {
            worst = SingleEventLatencyRun.worstBySecond(worstBySecond);
        }
        String error;
        synchronized (this) {
            error = firstError;
        }
        return new SingleEventLatencyRun.Result(answered, answered / measuredSeconds,
                SingleEventLatencyRun.percentile(sorted, 0.50), SingleEventLatencyRun.percentile(sorted, 0.90),
                SingleEventLatencyRun.percentile(sorted, 0.99), SingleEventLatencyRun.percentile(sorted, 0.999),
                count == 0 ? 0 : sorted[count - 1] / 1e6, errors.get(), cpuPercent, error, worst, cpuByThreadGroup,
                SingleEventLatencyRun.percentile(warmupSorted, 0.50), SingleEventLatencyRun.percentile(warmupSorted, 0.99),
                host);
    }
}
