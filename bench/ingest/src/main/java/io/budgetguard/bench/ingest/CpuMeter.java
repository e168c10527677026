package io.budgetguard.bench.ingest;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * This process's CPU use over a phase, as a share of every core (load generator, ingest and broker together), and
 * split by who used it. The split is the figure the machine's background load moves least: another process's work
 * lengthens the phase and queues requests, but it does not show in the CPU time of our own threads, so comparing builds
 * by µs of CPU per request of each group of threads works where latencies and rates at load averages above 2 do not.
 */
final class CpuMeter {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long cpuStart;
    private long wallStart;
    private Map<Long, Long> threadCpuStart = Map.of();
    private java.util.Optional<HostCpu> hostStart = java.util.Optional.empty();

    void start() {
        hostStart = HostCpu.read();
        threadCpuStart = threadCpu();
        cpuStart = os.getProcessCpuTime();
        wallStart = System.nanoTime();
    }

    /** Percent of all cores' time this process used since {@link #start}. */
    double percentOfAllCores() {
        long wall = System.nanoTime() - wallStart;
        return 100.0 * (os.getProcessCpuTime() - cpuStart) / wall / Runtime.getRuntime().availableProcessors();
    }

    /** The machine's time since {@link #start} that the hypervisor stole and that was idle (Linux only). */
    HostCpu.Share host() {
        return HostCpu.Share.between(hostStart, HostCpu.read());
    }

    /** Microseconds of CPU (all threads of the process) per unit of work since {@link #start}. */
    double cpuMicrosPer(long units) {
        return units == 0 ? 0 : (os.getProcessCpuTime() - cpuStart) / 1000.0 / units;
    }

    /**
     * µs of CPU per unit of work since {@link #start}, by group of threads: ingest's request threads (Jetty), its
     * producers' I/O threads, the broker, the load generator, other Java threads, and the JVM's own threads (JIT
     * compilers, GC: the process's CPU less that of its Java threads). Threads that ended within the phase are missed.
     */
    String cpuMicrosByThreadGroup(long units) {
        long process = os.getProcessCpuTime() - cpuStart;
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        Map<String, Long> byGroup = new LinkedHashMap<>();
        for (String group : new String[] {"ingest request threads", "ingest producer I/O", "broker", "generator",
                "other Java threads"}) {
            byGroup.put(group, 0L);
        }
        long java = 0;
        for (Map.Entry<Long, Long> entry : threadCpu().entrySet()) {
            long used = entry.getValue() - threadCpuStart.getOrDefault(entry.getKey(), 0L);
            java += used;
            byGroup.merge(group(names.getOrDefault(entry.getKey(), "")), used, Long::sum);
        }
        byGroup.put("JVM (JIT, GC)", Math.max(0, process - java));
        double per = units == 0 ? 0 : 1000.0 * units;
        return byGroup.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / per))
                .collect(Collectors.joining(", "));
    }

    private static String group(String thread) {
        if (thread.startsWith("JettyServerThreadPool")) {
            return "ingest request threads";
        }
        if (thread.startsWith("kafka-producer-network-thread | ingest")) {
            return "ingest producer I/O";
        }
        if (thread.startsWith("data-plane-") || thread.startsWith("kafka-") || thread.startsWith("broker-")
                || thread.startsWith("controller-") || thread.startsWith("quorum-") || thread.startsWith("ExpirationReaper")
                || thread.startsWith("executor-") || thread.startsWith("group-coordinator")
                || thread.startsWith("share-") || thread.startsWith("persister-")) {
            return "broker";
        }
        if (thread.startsWith("bench-")) {
            return "generator";
        }
        return "other Java threads";
    }

    private Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long time = threads.getThreadCpuTime(id);
            if (time >= 0) {
                cpu.put(id, time);
            }
        }
        return cpu;
    }
}
