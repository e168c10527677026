package io.budgetguard.bench.sink;

import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.db.DatabasePasswords;
import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.ledger.audit.AuditTopics;
import io.budgetguard.ledger.sink.LedgerSinkConfig;
import io.budgetguard.ledger.sink.LedgerSinkService;
import io.budgetguard.ledger.store.LedgerColumns;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench/run.sh sink}: on one embedded broker and PostgreSQL (and the Apicurio registry), per round:
 *
 * <ol>
 *   <li>preloads N priced events to a fresh topic (not measured);
 *   <li><b>sink</b>: the real {@link LedgerSinkService} (production settings: 2000-record polls, the writer login,
 *       checkpoints, audit topics subscribed, local key service, one event in ten encrypted) appends them to a fresh
 *       ledger database; its rate is measured between the first and the last batch's commit, from the rows'
 *       {@code recorded_at} (each batch's transaction start), so the consumer group join is not counted;
 *   <li><b>raw COPY</b>: the same rows (read back, tenants renamed) are COPYed into the same table in batches of the
 *       same size, one transaction each — the physical limit PRODUCT.md §7 compares against.
 * </ol>
 *
 * An unmeasured warm-up round (a quarter of the events) comes first. Rounds repeat on a shared machine whose
 * background load drifts; the medians are reported, with the load average before and after. The last line reads
 * {@code sink ratio=<sink rows/s ÷ raw COPY rows/s> sink_rows_per_s=… raw_copy_rows_per_s=… cpu_ratio=… …}; the CPU
 * ratio compares CPU per row (the sink's thread and its PostgreSQL backend against the COPY's thread and backend, read
 * from the kernel), which the machine's background load moves much less than rows/s.
 */
public final class SinkBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(SinkBenchmark.class);
    private static final int BATCH = LedgerSinkConfig.DEFAULT_MAX_POLL_RECORDS;
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /**
     * One round's figures; the CPU figures are µs per row: the sink's thread, its PostgreSQL backend, and the raw
     * COPY's thread and backend together (less sensitive to the machine's background load than rows/s).
     */
    private record Round(double sinkRowsPerSecond, double copyRowsPerSecond, double sinkSeconds, double copySeconds,
            double sinkThreadCpuMicros, double sinkBackendCpuMicros, double copyCpuMicros) {

        double sinkCpuMicros() {
            return sinkThreadCpuMicros + sinkBackendCpuMicros;
        }

        double ratio() {
            return sinkRowsPerSecond / copyRowsPerSecond;
        }

        /** raw COPY CPU per row ÷ sink CPU per row: less sensitive to background load than {@link #ratio}, not equal. */
        double cpuRatio() {
            return copyCpuMicros / sinkCpuMicros();
        }
    }

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Path data = Files.createTempDirectory("bench-sink");
        double loadBefore = load();
        List<Round> rounds = new ArrayList<>();
        try (LocalStack stack = LocalStack.start(LocalStack.Options.ephemeral(data.resolve("stack")));
                KeyService keys = LocalKeyService.open(data.resolve("keys"), "bench")) {
            if (settings.warmup()) {
                // unmeasured: JIT, page cache, the registry's schema ids
                round(stack, keys, new BenchSettings(Math.max(settings.events() / 4, 10_000), settings.tenants(),
                        settings.partitions(), settings.personalEvery(), 1, false), 0);
            }
            for (int round = 1; round <= settings.rounds(); round++) {
                Round result = round(stack, keys, settings, round);
                rounds.add(result);
                System.out.printf(Locale.ROOT, "round %d: sink %.0f rows/s (%.2f s first to last commit), raw COPY "
                        + "%.0f rows/s (%.2f s), ratio %.2f; CPU per row: sink %.1f µs (its thread %.1f + its backend "
                        + "%.1f), raw COPY %.1f µs, CPU ratio %.2f; load %.1f%n", round, result.sinkRowsPerSecond(),
                        result.sinkSeconds(), result.copyRowsPerSecond(), result.copySeconds(), result.ratio(),
                        result.sinkCpuMicros(), result.sinkThreadCpuMicros(), result.sinkBackendCpuMicros(),
                        result.copyCpuMicros(), result.cpuRatio(), load());
            }
        }
        double sink = median(rounds.stream().mapToDouble(Round::sinkRowsPerSecond).toArray());
        double copy = median(rounds.stream().mapToDouble(Round::copyRowsPerSecond).toArray());
        double ratio = median(rounds.stream().mapToDouble(Round::ratio).toArray());
        double cpuRatio = median(rounds.stream().mapToDouble(Round::cpuRatio).toArray());
        System.out.printf(Locale.ROOT, "sink ratio=%.2f sink_rows_per_s=%.0f raw_copy_rows_per_s=%.0f cpu_ratio=%.2f "
                + "sink_cpu_us_per_row=%.1f raw_copy_cpu_us_per_row=%.1f events=%d "
                + "batch=%d tenants=%d partitions=%d personal_every=%d rounds=%d load_before=%.1f load_after=%.1f%n",
                ratio, sink, copy, cpuRatio, median(rounds.stream().mapToDouble(Round::sinkCpuMicros).toArray()),
                median(rounds.stream().mapToDouble(Round::copyCpuMicros).toArray()), settings.events(), BATCH,
                settings.tenants(), settings.partitions(), settings.personalEvery(), settings.rounds(), loadBefore,
                load());
    }

    private static Round round(LocalStack stack, KeyService keys, BenchSettings settings, int round)
            throws Exception {
        EmbeddedPostgres postgres = stack.postgres();
        String database = "bench_sink_" + round + "_" + System.nanoTime();
        postgres.createDatabaseIfMissing(database);
        String url = postgres.jdbcUrl(database);
        Migrations.migrate(url, postgres.superuser(), postgres.superuserPassword());
        String writer = "bench_writer_" + round;
        String password = DatabasePasswords.generate();
        Migrations.grantLogin(url, postgres.superuser(), postgres.superuserPassword(), Migrations.WRITER_ROLE, writer,
                password);
        String topic = "bench-priced-" + round + "-" + System.nanoTime();
        try (Admin admin = stack.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, settings.partitions(), (short) 1))).all().get();
        }
        long events = preload(stack, topic, settings, round);
        long sinkThreadNanos;
        long sinkBackendNanos;

        LedgerSinkConfig config = LedgerSinkConfig.of(stack.kafkaBootstrap(), stack.schemaRegistryUrl(), url, writer,
                password).withTopic(topic).withConsumerGroup("bench-sink-" + round).withHttp("127.0.0.1", 0)
                .withAuditTopics(AuditTopics.STANDARD);
        try (LedgerSinkService sink = new LedgerSinkService(config, keys).start();
                Connection superuser = DriverManager.getConnection(url, postgres.superuser(),
                        postgres.superuserPassword())) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
            while (storedOffsets(superuser, topic) < events) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("round " + round + ": the sink did not append " + events
                            + " events within 10 minutes");
                }
                Thread.sleep(100);
            }
            LOG.info("Round {}: sink batches {}", round, batchMetrics(sink.port()));
            // read before the sink closes its connection: the backend's and the sink thread's CPU since they started
            sinkBackendNanos = backendCpuNanos(superuser, "budgetguard-ledger-sink");
            sinkThreadNanos = threadCpuNanos("ledger-sink");
        }
        try (Connection superuser = DriverManager.getConnection(url, postgres.superuser(),
                postgres.superuserPassword())) {
            double sinkSeconds = firstToLastCommitSeconds(superuser);
            long lastBatch = single(superuser,
                    "SELECT count(*) FROM ledger_entries WHERE recorded_at = (SELECT max(recorded_at) FROM ledger_entries)");
            double sinkRate = (events - lastBatch) / sinkSeconds;
            long[] copyNanos = rawCopy(superuser);
            double copySeconds = copyNanos[0] / 1e9;
            return new Round(sinkRate, events / copySeconds, sinkSeconds, copySeconds, sinkThreadNanos / 1e3 / events,
                    sinkBackendNanos / 1e3 / events, copyNanos[1] / 1e3 / events);
        }
    }

    /** Sends the events and returns how many the broker acknowledged (all of them, or the round is refused). */
    private static long preload(LocalStack stack, String topic, BenchSettings settings, int round) {
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        Instant occurred = Instant.now().minusSeconds(60);
        try (KafkaProducer<String, PricedUsage> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(),
                Topics.USAGE_PRICED.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl())).serializer())) {
            for (int i = 0; i < settings.events(); i++) {
                String tenant = "bench-" + round + "-t" + (i % settings.tenants());
                boolean personal = settings.personalEvery() > 0 && i % settings.personalEvery() == 0;
                producer.send(new ProducerRecord<>(topic, tenant, PricedUsage.newBuilder()
                        .setTenantId(tenant).setApiKeyId("k0123456789abcde").setEventId("evt-" + i)
                        .setOccurredAt(occurred.plusMillis(i % 60_000)).setReceivedAt(occurred.plusSeconds(1))
                        .setPricedAt(occurred.plusSeconds(1)).setProvider("openai").setModel("gpt-4o")
                        .setInputTokens(1000 + i % 500).setCachedInputTokens(200).setCacheWriteTokens(0)
                        .setOutputTokens(300).setReasoningTokens(0)
                        .setInputCostUsd(new BigDecimal("0.002500000")).setCachedInputCostUsd(new BigDecimal("0.000250000"))
                        .setCacheWriteCostUsd(new BigDecimal("0.000000000")).setOutputCostUsd(new BigDecimal("0.003000000"))
                        .setCostUsd(new BigDecimal("0.005750000")).setPriceVersion("2025-03-01").setUnpriced(false)
                        .setEndUser(personal ? "user-" + (i % 997) + "@example.com" : null)
                        .setMetadata(personal ? Map.of("team", "search", "feature", "summaries") : Map.of())
                        .build()), (metadata, e) -> {
                            if (e != null) {
                                failed.incrementAndGet();
                            }
                        });
            }
        }
        if (failed.get() > 0) {
            throw new IllegalStateException("round " + round + ": " + failed.get() + " of " + settings.events()
                    + " events were not acknowledged by the broker (an overloaded machine?); rerun");
        }
        LOG.info("Round {}: preloaded {} events in {} ms", round, settings.events(),
                (System.nanoTime() - start) / 1_000_000);
        return settings.events();
    }

    /** The sink's own batch timer (time inside append, commit included) from its /metrics. */
    private static String batchMetrics(int port) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body().lines().filter(line -> line.startsWith("ledger_sink_batch_seconds_count")
                || line.startsWith("ledger_sink_batch_seconds_sum") || line.startsWith("ledger_sink_batch_seconds_max"))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static long storedOffsets(Connection connection, String topic) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT coalesce(sum(next_offset), 0) FROM sink_offsets WHERE topic = ?")) {
            query.setString(1, topic);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static double firstToLastCommitSeconds(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(
                "SELECT extract(epoch FROM max(recorded_at) - min(recorded_at)) FROM ledger_entries")) {
            rows.next();
            return rows.getDouble(1);
        }
    }

    /**
     * COPYs every ledger row again (tenants renamed) in batches of the sink's size, one transaction each; returns the
     * elapsed nanoseconds and the CPU nanoseconds of this thread and the connection's backend.
     */
    private static long[] rawCopy(Connection superuser) throws Exception {
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        CopyManager copy = superuser.unwrap(PGConnection.class).getCopyAPI();
        copy.copyOut("COPY (SELECT 'raw-' || tenant_id, " + LedgerColumns.INSERTED.substring("tenant_id, ".length())
                + " FROM ledger_entries ORDER BY tenant_id, seq) TO STDOUT (FORMAT csv)", csv);
        byte[] bytes = csv.toByteArray();
        List<int[]> chunks = chunks(bytes, BATCH);
        long backend = single(superuser, "SELECT pg_backend_pid()");
        superuser.setAutoCommit(false);
        long cpuBefore = processCpuNanos(backend) + THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int[] chunk : chunks) {
            copy.copyIn("COPY ledger_entries (" + LedgerColumns.INSERTED + ") FROM STDIN (FORMAT csv)",
                    new ByteArrayInputStream(bytes, chunk[0], chunk[1] - chunk[0]));
            superuser.commit();
        }
        long elapsed = System.nanoTime() - start;
        long cpu = processCpuNanos(backend) + THREADS.getCurrentThreadCpuTime() - cpuBefore;
        return new long[] {elapsed, cpu};
    }

    /** CPU (user + system) of the PostgreSQL backends of {@code applicationName}'s connections, since they started. */
    private static long backendCpuNanos(Connection superuser, String applicationName) throws Exception {
        long total = 0;
        try (PreparedStatement query = superuser.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            query.setString(1, applicationName);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    total += processCpuNanos(rows.getLong(1));
                }
            }
        }
        return total;
    }

    /** utime + stime of a process from /proc/<pid>/stat (Linux), in nanoseconds. */
    private static long processCpuNanos(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // fields after the command name, which is in parentheses and may hold spaces
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /** CPU time of the live thread named {@code name} (0 when there is none). */
    private static long threadCpuNanos(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .mapToLong(t -> Math.max(0, THREADS.getThreadCpuTime(t.getId()))).sum();
    }

    /** Splits CSV into chunks of {@code lines} records, never inside a quoted field. */
    private static List<int[]> chunks(byte[] bytes, int lines) {
        List<int[]> chunks = new ArrayList<>();
        int begin = 0;
        int count = 0;
        boolean quoted = false;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '"') {
                quoted = !quoted;
            } else if (bytes[i] == '\n' && !quoted && ++count == lines) {
                chunks.add(new int[] {begin, i + 1});
                begin = i + 1;
                count = 0;
            }
        }
        if (begin < bytes.length) {
            chunks.add(new int[] {begin, bytes.length});
        }
        return chunks;
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
