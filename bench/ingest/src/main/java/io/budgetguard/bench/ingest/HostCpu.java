package io.budgetguard.bench.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The whole machine's CPU time from the {@code cpu} line of Linux's {@code /proc/stat}, to tell how much of a phase's
 * time the hypervisor took from our virtual CPUs (steal) and how much nobody used (idle). Steal stalls every thread
 * of the process at once, which our own CPU meter ({@link CpuMeter}) cannot see: a latency figure means little
 * without it. Elsewhere than on Linux there is no sample and the share prints {@code n/a}.
 *
 * @param idle  idle and iowait ticks, all CPUs together
 * @param steal steal ticks
 * @param total user, nice, system, idle, iowait, irq, softirq and steal ticks (guest time is already in user and nice)
 */
record HostCpu(long idle, long steal, long total) {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** The machine's counters now, or empty where {@code /proc/stat} cannot be read. */
    static Optional<HostCpu> read() {
        try {
            return Optional.of(parse(Files.readString(PROC_STAT)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The counters of the aggregate {@code cpu} line of a {@code /proc/stat} text. */
    static HostCpu parse(String procStat) {
        for (String line : procStat.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields[0].equals("cpu")) {
                long[] ticks = new long[8]; // kernels before 2.6.11 have no steal column: it stays 0
                for (int i = 0; i < ticks.length && i + 1 < fields.length; i++) {
                    ticks[i] = Long.parseLong(fields[i + 1]);
                }
                long total = 0;
                for (long tick : ticks) {
                    total += tick;
                }
                return new HostCpu(ticks[3] + ticks[4], ticks[7], total);
            }
        }
        throw new IllegalArgumentException("No aggregate cpu line in the /proc/stat text");
    }

    /** The machine's time between two samples: the shares stolen and idle. */
    record Share(double stealPercent, double idlePercent) {

        /** The share between {@code start} and {@code end}; unknown (NaN) when either is missing or no time passed. */
        static Share between(Optional<HostCpu> start, Optional<HostCpu> end) {
            if (start.isEmpty() || end.isEmpty() || end.get().total() <= start.get().total()) {
                return new Share(Double.NaN, Double.NaN);
            }
            double total = end.get().total() - start.get().total();
            return new Share(100.0 * (end.get().steal() - start.get().steal()) / total,
                    100.0 * (end.get().idle() - start.get().idle()) / total);
        }

        /** The steal percentage with one decimal, or {@code n/a}: the summary line's field. */
        String stealField() {
            return Double.isNaN(stealPercent) ? "n/a" : String.format(Locale.ROOT, "%.1f", stealPercent);
        }

        @Override
        public String toString() {
            return Double.isNaN(stealPercent) ? "host steal n/a, idle n/a"
                    : String.format(Locale.ROOT, "host steal %.1f %%, idle %.1f %%", stealPercent, idlePercent);
        }
    }
}
