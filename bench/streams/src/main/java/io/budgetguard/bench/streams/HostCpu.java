package io.budgetguard.bench.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The whole machine's CPU time from the first line of {@code /proc/stat}: how much of a phase the hypervisor stole
 * (a virtual machine's vCPUs descheduled: every thread of ours stalls at once, whatever our own load) and how much was
 * idle. On this benchmark's 2-core virtual machines steal has been 20–45 % of the time while a phase ran, and it moves
 * the latency figures more than any setting under test, so each phase prints it next to its figures.
 */
record HostCpu(long busy, long idle, long steal) {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** The counters now, or {@code null} where there is no readable {@code /proc/stat} (not Linux). */
    static HostCpu now() {
        try {
            return parse(Files.readString(PROC_STAT));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The aggregate {@code cpu} line: user nice system idle iowait irq softirq steal [guest guest_nice], in clock
     * ticks. Guest time is already counted in user and nice, so it is left out.
     */
    static HostCpu parse(String procStat) {
        String line = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no aggregate cpu line"));
        String[] f = line.trim().split("\\s+");
        if (f.length < 9) {
            throw new IllegalArgumentException("cpu line without a steal column: " + line);
        }
        long user = Long.parseLong(f[1]);
        long nice = Long.parseLong(f[2]);
        long system = Long.parseLong(f[3]);
        long idle = Long.parseLong(f[4]);
        long iowait = Long.parseLong(f[5]);
        long irq = Long.parseLong(f[6]);
        long softirq = Long.parseLong(f[7]);
        long steal = Long.parseLong(f[8]);
        return new HostCpu(user + nice + system + irq + softirq, idle + iowait, steal);
    }

    /** Shares of the machine's time between {@code before} and this snapshot. */
    Shares since(HostCpu before) {
        long busyTicks = busy - before.busy;
        long idleTicks = idle - before.idle;
        long stealTicks = steal - before.steal;
        long total = busyTicks + idleTicks + stealTicks;
        if (total <= 0) {
            return new Shares(0, 0, 0);
        }
        return new Shares(100.0 * busyTicks / total, 100.0 * idleTicks / total, 100.0 * stealTicks / total);
    }

    /** Percentages of all CPUs' time: busy (anyone's), idle, stolen by the hypervisor. */
    record Shares(double busyPct, double idlePct, double stealPct) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "host CPU: busy %.0f %%, idle %.0f %%, stolen %.0f %%", busyPct, idlePct,
                    stealPct);
        }
    }

    /** "host CPU: …" between the two snapshots, or "host CPU: n/a" when either is missing. */
    static String describe(HostCpu before, HostCpu after) {
        return before == null || after == null ? "host CPU: n/a" : after.since(before).toString();
    }

    /** The stolen share between the two snapshots, or -1 when either is missing. */
    static double stealPct(HostCpu before, HostCpu after) {
        return before == null || after == null ? -1 : after.since(before).stealPct();
    }
}
