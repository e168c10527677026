package io.budgetguard.bench.streams;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time, which a loaded machine distorts far less than wall-clock time: of the whole process (broker, clients and
 * stream threads alike) and of the threads whose names match.
 */
final class CpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuTime() {}

    static long process() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long threadsNamed(String prefix, String contains) {
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix) && thread.getName().contains(contains)) {
                long cpu = THREADS.getThreadCpuTime(thread.getId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }
}
