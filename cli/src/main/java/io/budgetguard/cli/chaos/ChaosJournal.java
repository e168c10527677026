package io.budgetguard.cli.chaos;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the chaos load generator hands to the checker, as tab-separated files in one directory: the tenants and their
 * API keys ({@code tenants.tsv}, owner-only: it holds secrets of a throw-away stack), the budgets, every distinct event
 * sent with whether any of its sends was acknowledged with 202 ({@code events.tsv}), and counters ({@code stats.tsv}).
 */
public record ChaosJournal(Map<String, String> apiKeys, List<BudgetDef> budgets, List<Sent> events, Map<String, Long> stats) {

    /** A distinct event and whether the server acknowledged it (202) at least once. */
    public record Sent(ChaosEvent event, boolean acked) {}

    public ChaosJournal {
        apiKeys = Map.copyOf(apiKeys);
        budgets = List.copyOf(budgets);
        events = List.copyOf(events);
        stats = Map.copyOf(stats);
    }

    public long stat(String name) {
        return stats.getOrDefault(name, 0L);
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path keys = dir.resolve("tenants.tsv");
        Files.writeString(keys, "");
        try {
            Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not POSIX
        }
        StringBuilder tenants = new StringBuilder();
        apiKeys.forEach((tenant, key) -> tenants.append(tenant).append('\t').append(key).append('\n'));
        Files.writeString(keys, tenants);
        StringBuilder budgetLines = new StringBuilder();
        for (BudgetDef b : budgets) {
            budgetLines.append(String.join("\t", b.tenant(), b.budgetId(), b.period(), b.limitUsd().toPlainString(),
                    String.join(",", b.thresholds().stream().map(String::valueOf).toList()),
                    b.model() == null ? "-" : b.model())).append('\n');
        }
        Files.writeString(dir.resolve("budgets.tsv"), budgetLines);
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("events.tsv"))) {
            for (Sent sent : events) {
                ChaosEvent e = sent.event();
                out.write(e.tenant() + '\t' + e.eventId() + '\t' + e.occurredAt().toEpochMilli() + '\t' + e.provider()
                        + '\t' + e.model() + '\t' + e.inputTokens() + '\t' + e.cachedInputTokens() + '\t'
                        + e.cacheWriteTokens() + '\t' + e.outputTokens() + '\t' + e.reasoningTokens() + '\t'
                        + (sent.acked() ? 1 : 0) + '\n');
            }
        }
        StringBuilder statLines = new StringBuilder();
        stats.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(s -> statLines.append(s.getKey()).append('\t').append(s.getValue()).append('\n'));
        Files.writeString(dir.resolve("stats.tsv"), statLines);
    }

    public static ChaosJournal read(Path dir) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String[] f : lines(dir.resolve("tenants.tsv"))) {
            keys.put(f[0], f[1]);
        }
        List<BudgetDef> budgets = new ArrayList<>();
        for (String[] f : lines(dir.resolve("budgets.tsv"))) {
            budgets.add(new BudgetDef(f[0], f[1], f[2], new BigDecimal(f[3]),
                    Arrays.stream(f[4].split(",")).map(Integer::valueOf).toList(), f[5].equals("-") ? null : f[5]));
        }
        List<Sent> events = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(dir.resolve("events.tsv"))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split("\t", -1);
                events.add(new Sent(new ChaosEvent(f[0], f[1], Instant.ofEpochMilli(Long.parseLong(f[2])), f[3], f[4],
                        Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
                        Long.parseLong(f[9])), f[10].equals("1")));
            }
        }
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String[] f : lines(dir.resolve("stats.tsv"))) {
            stats.put(f[0], Long.parseLong(f[1]));
        }
        return new ChaosJournal(keys, budgets, events, stats);
    }

    private static List<String[]> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).toList();
    }
}
