package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.ledger.verify.LedgerVerifier;
import io.budgetguard.ledger.verify.VerificationReport;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink as its own JVM ({@link LedgerSinkMain}, configured by the environment), killed with SIGKILL while it
 * appends a stream that keeps growing, then started again: every event is in the ledger exactly once and every chain
 * and checkpoint verifies.
 */
@ExtendWith(SharedStack.class)
class LedgerSinkKillTest {

    private static final int TENANTS = 3;
    private static final int EVENTS = 20_000;
    private static final int PER_TICK = 500;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private ScheduledExecutorService load;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (load != null) {
            load.shutdownNow();
        }
    }

    private Process startSink(Map<String, String> env, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), LedgerSinkMain.class.getName());
        builder.environment().putAll(env);
        File log = dir.resolve(name + ".log").toFile();
        builder.redirectErrorStream(true).redirectOutput(log);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenKilledMidBatchUnderLoad() throws Exception {
        LocalStack stack = SharedStack.stack();
        LedgerDatabase db = LedgerDatabase.create("kill");
        String topic = SharedStack.unique("priced");
        try (Admin admin = stack.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP", stack.kafkaBootstrap());
        env.put("SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());
        env.put("DATABASE_URL", db.url());
        env.put("DATABASE_USER", db.writerUser());
        env.put("DATABASE_PASSWORD", db.writerPassword());
        env.put("LEDGER_PORT", "0");
        env.put("LEDGER_TOPIC", topic);
        env.put("LEDGER_CONSUMER_GROUP", SharedStack.unique("kill"));
        env.put("BUDGETGUARD_ENV", "test");
        env.put("BUDGETGUARD_KEY_SERVICE", "local");
        env.put("BUDGETGUARD_LOCAL_KEYS_DIR", dir.resolve("keys").toString());
        String prefix = SharedStack.uniqueSuffix();
        AtomicInteger sent = new AtomicInteger();
        KafkaProducer<String, PricedUsage> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(),
                Topics.USAGE_PRICED.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl())).serializer());
        load = Executors.newSingleThreadScheduledExecutor();
        // about 10 000 events a second, for two seconds: the sink is always mid-stream
        load.scheduleAtFixedRate(() -> {
            for (int i = 0; i < PER_TICK && sent.get() < EVENTS; i++) {
                int n = sent.getAndIncrement();
                String tenant = prefix + "-t" + (n % TENANTS);
                producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "evt-" + n)
                        .setEndUser(n % 10 == 0 ? "user-" + n : null).build()));
            }
            producer.flush();
        }, 0, 50, TimeUnit.MILLISECONDS);

        Process first = startSink(env, "first");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> rows(db) >= 3_000);
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL: no shutdown hook ran
        long atKill = rows(db);
        assertThat(atKill).as("killed while events were still arriving").isLessThan(sent.get());

        startSink(env, "second");
        await().atMost(TIMEOUT).until(() -> sent.get() >= EVENTS);
        producer.close();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> rows(db) >= EVENTS);

        assertThat(rows(db)).isEqualTo(EVENTS);
        assertThat(count(db, "SELECT count(DISTINCT (tenant_id, event_id)) FROM ledger_entries")).isEqualTo(EVENTS);
        for (int t = 0; t < TENANTS; t++) {
            String tenant = prefix + "-t" + t;
            long expected = EVENTS / TENANTS + (t < EVENTS % TENANTS ? 1 : 0);
            assertThat(count(db, "SELECT max(seq) FROM ledger_entries WHERE tenant_id = '" + tenant + "'"))
                    .as("seq of %s runs 1..n without gaps", tenant).isEqualTo(expected);
        }
        LocalKeyService keys = LocalKeyService.open(dir.resolve("keys"), "test");
        await().atMost(TIMEOUT).until(() -> count(db,
                "SELECT count(*) FROM ledger_checkpoints c WHERE c.tenant_id LIKE '" + prefix + "-%' AND c.seq = "
                        + "(SELECT max(seq) FROM ledger_entries e WHERE e.tenant_id = c.tenant_id)") == TENANTS);
        try (Connection superuser = db.superuser()) {
            for (int t = 0; t < TENANTS; t++) {
                VerificationReport report = new LedgerVerifier(superuser, keys.publicKeys(CheckpointSigner.KEY_NAME))
                        .verify(Optional.of(prefix + "-t" + t));
                assertThat(report.ok()).as("%s", report.firstBreak()).isTrue();
                assertThat(report.checkpointsVerified()).isPositive();
            }
        }
    }

    private static long rows(LedgerDatabase db) throws SQLException {
        return count(db, "SELECT count(*) FROM ledger_entries");
    }

    private static long count(LedgerDatabase db, String sql) throws SQLException {
        try (Connection c = db.superuser(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
