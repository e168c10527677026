package io.budgetguard.bench.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of every thread of the process, native ones included (RocksDB's background threads, GC, JIT), read from
 * {@code /proc/self/task}, grouped by what the thread does: where the process CPU per event goes, which the JVM's own
 * counters cannot tell for non-Java threads. Linux only; elsewhere the snapshot is empty. Resolution: one clock tick.
 */
final class ThreadCpu {

    private static final double NANOS_PER_TICK = 1e9 / 100; // USER_HZ is 100 on Linux
    private static final Path TASKS = Path.of("/proc/self/task");

    /** Thread id → (name, CPU ticks). */
    private final Map<String, Long> ticks;
    private final Map<String, String> names;

    private ThreadCpu(Map<String, Long> ticks, Map<String, String> names) {
        this.ticks = ticks;
        this.names = names;
    }

    static ThreadCpu snapshot() {
        Map<String, Long> ticks = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(stat.indexOf('(') + 1, close);
                    String[] fields = stat.substring(close + 2).split(" ");
                    // fields[0] is field 3 (state): utime is field 14, stime field 15
                    ticks.put(task.getFileName().toString(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                    names.put(task.getFileName().toString(), name);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we read it
                }
            }
        } catch (IOException e) {
            return new ThreadCpu(Map.of(), Map.of());
        }
        return new ThreadCpu(ticks, names);
    }

    /** CPU µs per event of each group of threads since {@code before}, largest first, as {@code group=µs …}. */
    String perEventSince(ThreadCpu before, long events) {
        Map<String, Double> byGroup = new HashMap<>();
        ticks.forEach((tid, now) -> {
            long delta = now - before.ticks.getOrDefault(tid, 0L);
            if (delta > 0) {
                byGroup.merge(group(names.get(tid)), delta * NANOS_PER_TICK / 1e3 / events, Double::sum);
            }
        });
        Map<String, Double> sorted = byGroup.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        return sorted.entrySet().stream()
                .map(e -> e.getKey() + "=" + String.format(Locale.ROOT, "%.1f", e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** CPU time of the threads of {@code group} since {@code before}. */
    Duration since(ThreadCpu before, String group) {
        long delta = 0;
        for (Map.Entry<String, Long> thread : ticks.entrySet()) {
            if (group(names.get(thread.getKey())).equals(group)) {
                delta += Math.max(0, thread.getValue() - before.ticks.getOrDefault(thread.getKey(), 0L));
            }
        }
        return Duration.ofNanos(Math.round(delta * NANOS_PER_TICK));
    }

    /** Linux thread names are the first 15 bytes of the Java name. */
    static String group(String name) {
        if (name == null) {
            return "other";
        }
        if (name.startsWith("bench-")) {
            return "streams-app"; // stream thread (and the application's global and cleanup threads)
        }
        if (name.startsWith("kafka-admin-cli")) {
            return "admin-poll"; // the benchmark polling committed offsets
        }
        if (name.startsWith("kafka-producer-")) {
            return "producer-io";
        }
        if (name.startsWith("data-plane-kaf") || name.startsWith("kafka-") || name.startsWith("broker-")
                || name.startsWith("ReplicaFetcher") || name.startsWith("LogCleaner") || name.startsWith("controller")
                || name.startsWith("quorum-") || name.startsWith("raft-")) {
            return "broker";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread")) {
            return "gc+vm";
        }
        if (name.startsWith("rocksdb")) {
            return "rocksdb-bg";
        }
        if (name.contains("CompilerThre")) {
            return "jit";
        }
        if (name.startsWith("main")) {
            return "bench-main";
        }
        return "other";
    }
}
