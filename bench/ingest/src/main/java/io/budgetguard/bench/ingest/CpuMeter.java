package io.budgetguard.bench.ingest;

import java.lang.management.ManagementFactory;

/** This process's CPU use over a phase, as a share of every core (load generator, ingest and broker together). */
final class CpuMeter {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuStart;
    private long wallStart;

    void start() {
        cpuStart = os.getProcessCpuTime();
        wallStart = System.nanoTime();
    }

    /** Percent of all cores' time this process used since {@link #start}. */
    double percentOfAllCores() {
        long wall = System.nanoTime() - wallStart;
        return 100.0 * (os.getProcessCpuTime() - cpuStart) / wall / Runtime.getRuntime().availableProcessors();
    }

    /** Microseconds of CPU (all threads of the process) per unit of work since {@link #start}. */
    double cpuMicrosPer(long units) {
        return units == 0 ? 0 : (os.getProcessCpuTime() - cpuStart) / 1000.0 / units;
    }
}
