package io.budgetguard.bench.streams;

/**
 * What one phase cost: the CPU of the process's thread groups and the host's shares across it, and its wall time.
 * {@link #start()} before the phase, {@link #stop()} after it.
 */
record PhaseMeter(ThreadCpu threadsBefore, HostCpu hostBefore, long startNanos) {

    static PhaseMeter start() {
        return new PhaseMeter(ThreadCpu.snapshot(), HostCpu.now(), System.nanoTime());
    }

    Reading stop() {
        long elapsedNanos = System.nanoTime() - startNanos;
        return new Reading(threadsBefore, ThreadCpu.snapshot(), hostBefore, HostCpu.now(), elapsedNanos);
    }

    record Reading(ThreadCpu threadsBefore, ThreadCpu threadsAfter, HostCpu hostBefore, HostCpu hostAfter,
            long elapsedNanos) {

        /** CPU µs per event of each thread group, as {@code group=µs …}. */
        String cpuPerEvent(long events) {
            return threadsAfter.perEventSince(threadsBefore, events);
        }

        /** The host's busy, idle and stolen shares (see {@link HostCpu#describe}). */
        String host() {
            return HostCpu.describe(hostBefore, hostAfter);
        }

        double hostStealPct() {
            return HostCpu.stealPct(hostBefore, hostAfter);
        }

        /** The JIT compiler threads' CPU as a share (%) of one core over the phase's wall time. */
        double jitPercent() {
            return 100.0 * threadsAfter.since(threadsBefore, "jit").toNanos() / elapsedNanos;
        }
    }
}
