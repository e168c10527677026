package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyServiceUnavailableException;
import io.budgetguard.common.keys.KeyServices;
import io.budgetguard.common.keys.VaultTestDouble;
import io.budgetguard.common.keys.vault.VaultCredentials;
import io.budgetguard.common.keys.vault.VaultKeyServiceConfig;
import io.budgetguard.infra.testing.FlakyHttpProxy;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.keys.Ed25519Verifier;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.ledger.checkpoint.CheckpointPolicy;
import io.budgetguard.ledger.checkpoint.PublicKeys;
import io.budgetguard.ledger.privacy.DataKeyErasedException;
import io.budgetguard.ledger.privacy.PersonalDataCipher;
import io.budgetguard.ledger.privacy.TenantDataKeys;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.LedgerCheckpoint;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.ledger.audit.AuditTopics;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.ledger.verify.LedgerVerifier;
import io.budgetguard.ledger.verify.VerificationReport;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The sink end to end on the shared broker, registry and PostgreSQL. */
@ExtendWith(SharedStack.class)
class LedgerSinkServiceTest {

    private static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static LedgerDatabase db;
    private static LocalStack stack;
    private static LocalKeyService keys;

    @TempDir
    static Path keyDir;

    private String topic;
    private AuditTopics auditTopics;
    private List<String> tenants;
    private LedgerSinkConfig config;
    private final List<LedgerSinkService> started = new ArrayList<>();

    @BeforeAll
    static void createDatabase() {
        stack = SharedStack.stack();
        db = LedgerDatabase.create("sink");
        keys = LocalKeyService.open(keyDir, "test");
    }

    @BeforeEach
    void createTopic() throws Exception {
        topic = SharedStack.unique("priced");
        String checkpointTopic = SharedStack.unique("checkpoints");
        auditTopics = AuditTopics.suffixed("-" + SharedStack.uniqueSuffix());
        tenants = List.of(SharedStack.unique("acme"), SharedStack.unique("globex"), SharedStack.unique("initech"));
        try (Admin admin = stack.admin()) {
            List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(topic, PARTITIONS, (short) 1),
                    new NewTopic(checkpointTopic, 1, (short) 1)));
            auditTopics.names().forEach(name -> topics.add(new NewTopic(name, 2, (short) 1)));
            admin.createTopics(topics).all().get();
            // the broker leads the new partitions a moment after the controller committed them; an idempotent producer
            // sending before that was seen in CI to loop on OutOfOrderSequenceException until its delivery timeout
            List<String> names = topics.stream().map(NewTopic::name).toList();
            // (until then describeTopics may also fail with UnknownTopicOrPartitionException: ask again)
            await().atMost(TIMEOUT).ignoreExceptions().until(() -> admin.describeTopics(names).allTopicNames().get()
                    .values().stream()
                    .allMatch(described -> described.partitions().stream()
                            .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty())));
        }
        config = LedgerSinkConfig.of(stack.kafkaBootstrap(), stack.schemaRegistryUrl(), db.url(), db.writerUser(),
                        db.writerPassword())
                .withTopic(topic)
                .withConsumerGroup(SharedStack.unique("ledger-sink"))
                .withHttp("127.0.0.1", 0)
                .withMaxPollRecords(100)
                .withCheckpoints(checkpointTopic, new CheckpointPolicy(1000, Duration.ofSeconds(1)))
                .withAuditTopics(auditTopics);
    }

    @AfterEach
    void stopSinks() {
        started.forEach(LedgerSinkService::close);
    }

    private LedgerSinkService startSink() {
        LedgerSinkService sink = new LedgerSinkService(config, keys).start();
        started.add(sink);
        return sink;
    }

    private Producer<String, PricedUsage> producer(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5));
        properties.putAll(extra);
        return new KafkaProducer<>(properties, new StringSerializer(),
                Topics.USAGE_PRICED.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl())).serializer());
    }

    /** Sends {@code count} events per tenant, event ids {@code <prefix>-<n>}, keyed by tenant. */
    private void produce(String prefix, int count) {
        try (Producer<String, PricedUsage> producer = producer(Map.of())) {
            for (int i = 0; i < count; i++) {
                for (String tenant : tenants) {
                    producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, prefix + "-" + i).build()));
                }
            }
            producer.flush();
        }
    }

    private long rows() throws SQLException {
        return single("SELECT count(*) FROM ledger_entries WHERE tenant_id = ANY (?)", tenants.toArray(String[]::new));
    }

    private long single(String sql, Object parameter) throws SQLException {
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(sql)) {
            if (parameter instanceof String[] array) {
                query.setArray(1, superuser.createArrayOf("text", array));
            } else {
                query.setObject(1, parameter);
            }
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private Map<Integer, Long> storedOffsets() throws SQLException {
        Map<Integer, Long> offsets = new HashMap<>();
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT partition, next_offset FROM sink_offsets WHERE consumer_group = ? AND topic = ?")) {
            query.setString(1, config.consumerGroup());
            query.setString(2, topic);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    offsets.put(rows.getInt(1), rows.getLong(2));
                }
            }
        }
        return offsets;
    }

    private Map<Integer, Long> endOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        try (Admin admin = stack.admin()) {
            admin.listOffsets(request).all().get().forEach((tp, info) -> {
                if (info.offset() > 0) {
                    ends.put(tp.partition(), info.offset());
                }
            });
        }
        return ends;
    }

    private void assertEveryChainValid(long entriesPerTenant) throws SQLException {
        try (Connection superuser = db.superuser()) {
            for (String tenant : tenants) {
                VerificationReport report = new LedgerVerifier(superuser).verify(Optional.of(tenant));
                assertThat(report.ok()).as("chain of %s: %s", tenant, report.firstBreak()).isTrue();
                assertThat(report.entriesVerified()).as("entries of %s", tenant).isEqualTo(entriesPerTenant);
            }
        }
    }

    @Test
    void shouldCreateTheComingMonthsPartitionsWhenItStarts() throws Exception {
        java.time.YearMonth month = java.time.YearMonth.now(java.time.ZoneOffset.UTC)
                .plusMonths(io.budgetguard.ledger.store.LedgerPartitions.MONTHS_AHEAD);
        String furthest = String.format("ledger_entries_y%04dm%02d", month.getYear(), month.getMonthValue());
        try (Connection owner = db.superuser(); PreparedStatement drop = owner.prepareStatement(
                "DROP TABLE " + furthest)) {
            drop.execute(); // empty, months ahead: as if the migration had run a month ago
        }

        startSink();

        await().atMost(TIMEOUT).until(() -> {
            try (Connection owner = db.superuser(); PreparedStatement query = owner.prepareStatement(
                    "SELECT to_regclass(?) IS NOT NULL")) {
                query.setString(1, furthest);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    return rows.getBoolean(1);
                }
            }
        });
    }

    @Test
    void shouldAppendEveryRecordOnceAsAValidChainAndStoreTheOffsets() throws Exception {
        produce("evt", 200);

        startSink();

        await().atMost(TIMEOUT).until(() -> rows() == 600);
        Map<Integer, Long> ends = endOffsets();
        await().atMost(TIMEOUT).until(() -> storedOffsets().equals(ends));
        assertEveryChainValid(200);
    }

    @Test
    void shouldResumeAfterARestartWithoutDuplicates() throws Exception {
        produce("first", 50);
        LedgerSinkService sink = startSink();
        await().atMost(TIMEOUT).until(() -> rows() == 150);
        sink.close();

        produce("second", 30);
        produce("first", 10); // re-emitted by the streams app: same (tenant, event_id), new records
        startSink();

        Map<Integer, Long> ends = endOffsets();
        await().atMost(TIMEOUT).until(() -> storedOffsets().equals(ends));
        assertThat(rows()).isEqualTo(240);
        assertEveryChainValid(80);
    }

    @Test
    void shouldIgnoreRecordsOfAbortedTransactions() throws Exception {
        String tenant = tenants.get(0);
        try (Producer<String, PricedUsage> producer = producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, SharedStack.unique("tx"),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "aborted").build()));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "committed").build()));
            producer.commitTransaction();
        }

        startSink();

        Map<Integer, Long> ends = endOffsets();
        await().atMost(TIMEOUT).until(() -> storedOffsets().equals(ends));
        assertThat(single("SELECT count(*) FROM ledger_entries WHERE tenant_id = ?", tenant)).isEqualTo(1);
        assertThat(single("SELECT count(*) FROM ledger_entries WHERE event_id = 'aborted' AND tenant_id = ?", tenant))
                .isZero();
    }

    @Test
    void shouldReportReadinessAndMetricsOverHttp() throws Exception {
        LedgerSinkService sink = startSink();
        produce("evt", 5);
        await().atMost(TIMEOUT).until(() -> rows() == 15);

        HttpClient http = HttpClient.newHttpClient();
        URI base = URI.create("http://127.0.0.1:" + sink.port());
        await().atMost(TIMEOUT).until(() -> http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        String metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(sink.isReady()).isTrue();
        assertThat(metrics).contains("ledger_sink_entries_appended_total 15.0")
                .contains("ledger_sink_assigned_partitions " + (PARTITIONS + 5 * 2) + ".0") // priced + 5 audit topics
                .contains("ledger_sink_personal_data_encrypted_total 0.0");
    }

    @Test
    void shouldShareThePartitionsOfTwoInstancesWithoutDuplicates() throws Exception {
        produce("evt", 200);

        startSink();
        startSink();
        produce("more", 100);

        Map<Integer, Long> ends = endOffsets();
        await().atMost(TIMEOUT).until(() -> storedOffsets().equals(ends));
        assertThat(rows()).isEqualTo(900);
        assertEveryChainValid(300);
    }

    @Test
    void shouldRecoverFromALostDatabaseConnection() throws Exception {
        produce("before", 20);
        startSink();
        await().atMost(TIMEOUT).until(() -> rows() == 60);

        try (Connection superuser = db.superuser(); PreparedStatement kill = superuser.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?")) {
            kill.setString(1, db.writerUser());
            kill.execute();
        }
        produce("after", 20);

        await().atMost(TIMEOUT).until(() -> rows() == 120);
        Map<Integer, Long> ends = endOffsets();
        await().atMost(TIMEOUT).until(() -> storedOffsets().equals(ends));
        assertEveryChainValid(40);
    }

    @Test
    void shouldStopAtARecordItCannotStoreRatherThanSkipIt() throws Exception {
        String tenant = tenants.get(0);
        try (Producer<String, PricedUsage> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "good").build()));
            producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "bad").setModel("nul\u0000").build()));
            producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "after").build()));
        }
        LedgerSinkService sink = startSink();
        HttpClient http = HttpClient.newHttpClient();
        URI metrics = URI.create("http://127.0.0.1:" + sink.port() + "/metrics");

        await().atMost(TIMEOUT).until(() -> http.send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString()).body().matches("(?s).*ledger_sink_batch_failures_total [1-9].*"));

        assertThat(single("SELECT count(*) FROM ledger_entries WHERE tenant_id = ? AND event_id IN ('bad', 'after')",
                tenant)).isZero();
        assertThat(sink.isReady()).isFalse();
    }

    @Test
    void shouldWaitAtStartUpForAVaultThatIsStillStarting() {
        try (VaultTestDouble vault = VaultTestDouble.start();
             FlakyHttpProxy flaky = FlakyHttpProxy.start(vault.address(), 3)) {
            vault.createKey(KeyNames.LEDGER_SIGNING_KEY, "ed25519");
            VaultTestDouble.AppRole role = vault.addAppRole(Duration.ofMinutes(5));
            LedgerSinkConfig viaVault = config.withKeyService(new KeyServices.Selection(KeyServices.Kind.VAULT,
                    VaultKeyServiceConfig.of(flaky.url(), new VaultCredentials.AppRole(role.roleId(), role.secretId())),
                    null, "test"));

            LedgerSinkService sink = new LedgerSinkService(viaVault).start();
            started.add(sink);

            assertThat(flaky.requests()).as("three 503s, then the login").isGreaterThan(3);
            assertThat(vault.loginCount()).isEqualTo(1);
            await().atMost(TIMEOUT).until(sink::isReady);
        }
    }

    @Test
    void shouldGiveUpOnAnUnavailableVaultAtTheStartUpDeadline() {
        try (VaultTestDouble vault = VaultTestDouble.start();
             FlakyHttpProxy flaky = FlakyHttpProxy.start(vault.address(), Integer.MAX_VALUE)) {
            VaultTestDouble.AppRole role = vault.addAppRole(Duration.ofMinutes(5));
            LedgerSinkConfig viaVault = config.withStartupTimeout(Duration.ofMillis(1_500))
                    .withKeyService(new KeyServices.Selection(KeyServices.Kind.VAULT, VaultKeyServiceConfig.of(
                            flaky.url(), new VaultCredentials.AppRole(role.roleId(), role.secretId())), null, "test"));

            assertThatThrownBy(() -> new LedgerSinkService(viaVault).start())
                    .isInstanceOf(KeyServiceUnavailableException.class);
            assertThat(flaky.requests()).as("retried until the deadline").isGreaterThan(1);
            assertThat(vault.loginCount()).isZero();
        }
    }

    @Test
    void shouldNotBeReadyBeforeStarting() {
        assertThat(new LedgerSinkService(config, keys).isReady()).isFalse();
    }

    @Test
    void shouldSignEachTenantsHeadThenPublishItAndServeThePublicKeys() throws Exception {
        LedgerSinkService sink = startSink();
        produce("evt", 20);
        await().atMost(TIMEOUT).until(() -> rows() == 60);

        await().atMost(TIMEOUT).until(() -> single(
                "SELECT count(*) FROM ledger_checkpoints WHERE seq = 20 AND tenant_id = ANY (?)",
                tenants.toArray(String[]::new)) == 3);
        List<LedgerCheckpoint> published = new ArrayList<>();
        try (KafkaConsumer<String, LedgerCheckpoint> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, SharedStack.unique("checkpoint-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                Topics.LEDGER_CHECKPOINTS.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl())).deserializer())) {
            consumer.subscribe(List.of(config.checkpointTopic()));
            await().atMost(TIMEOUT).until(() -> {
                for (ConsumerRecord<String, LedgerCheckpoint> record : consumer.poll(Duration.ofMillis(200))) {
                    if (tenants.contains(record.key())) {
                        published.add(record.value());
                    }
                }
                return published.stream().filter(c -> c.getSeq() == 20).count() == 3;
            });
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sink.port() + "/v1/ledger/public-keys")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        Map<Integer, byte[]> publicKeys = PublicKeys.parse(Json.MAPPER.readTree(response.body()));
        for (LedgerCheckpoint checkpoint : published) {
            byte[] message = io.budgetguard.ledger.checkpoint.Checkpoint.message(checkpoint.getTenantId(),
                    checkpoint.getSeq(), io.budgetguard.ledger.chain.ChainHash.of(bytes(checkpoint.getHeadHash())),
                    checkpoint.getSignedAt());
            assertThat(Ed25519Verifier.verify(publicKeys, message, checkpoint.getSignature())).isTrue();
        }
    }

    @Test
    void shouldStorePersonalDataEncryptedAndKeepTheChainVerifiableAfterAnErasure() throws Exception {
        String tenant = tenants.get(0);
        try (Producer<String, PricedUsage> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "personal")
                    .setEndUser("alice@example.com").setMetadata(Map.of("customer", "Alice")).build()));
        }
        startSink();
        await().atMost(TIMEOUT).until(() -> single("SELECT count(*) FROM ledger_entries WHERE tenant_id = ?", tenant) == 1);

        String endUserCt;
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT end_user_ct, metadata_ct FROM ledger_entries WHERE tenant_id = ?")) {
            query.setString(1, tenant);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                endUserCt = row.getString(1);
                assertThat(endUserCt).startsWith("v1:1:").doesNotContain("alice");
                assertThat(row.getString(2)).startsWith("v1:1:").doesNotContain("Alice");
            }
            TenantDataKeys dataKeys = new TenantDataKeys(keys, java.time.Clock.systemUTC());
            assertThat(PersonalDataCipher.decrypt(dataKeys.forDecryption(superuser, tenant, 1).key(), tenant,
                    "personal", PersonalDataCipher.END_USER, endUserCt)).isEqualTo("alice@example.com");

            keys.deleteKey(io.budgetguard.common.keys.KeyNames.tenantDataKey(tenant));

            assertThatThrownBy(() -> new TenantDataKeys(keys, java.time.Clock.systemUTC())
                    .forDecryption(superuser, tenant, 1)).isInstanceOf(DataKeyErasedException.class);
            assertThat(new LedgerVerifier(superuser).verify(Optional.of(tenant)).ok()).isTrue();
        }
    }

    @Test
    void shouldAppendAlertsAndControlChangesToTheAuditTrailExactlyOnceWithoutSecrets() throws Exception {
        String tenant = tenants.get(0);
        String bcrypt = "$2a$12$abcdefghijklmnopqrstuuJmN8Yk2c5HwW3YpZ6oO0l5lYx9XyZ1e";
        ApiKey key = ApiKey.newBuilder().setKeyId("k" + SharedStack.uniqueSuffix() + "1234567").setTenantId(tenant)
                .setRole("viewer").setSecretHash(bcrypt).setCreatedAt(Instant.now()).setRevokedAt(null).build();
        BudgetAlert alert = BudgetAlert.newBuilder().setAlertId(tenant + "/monthly/2025-03-01T00:00:00Z/80")
                .setTenantId(tenant).setBudgetId("monthly").setPeriod("monthly")
                .setPeriodStart(Instant.parse("2025-03-01T00:00:00Z")).setPeriodEnd(Instant.parse("2025-04-01T00:00:00Z"))
                .setThresholdPercent(80).setLimitUsd(new BigDecimal("1.000000000")).setSpendUsd(new BigDecimal("0.800000000"))
                .setEventId("evt-9").setEventOccurredAt(Instant.now()).setEmittedAt(Instant.now()).setLate(false).build();
        HttpSchemaRegistry registry = new HttpSchemaRegistry(stack.schemaRegistryUrl());
        try (KafkaProducer<String, ApiKey> keys = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()), new StringSerializer(),
                Topics.CONTROL_APIKEYS.valueSerde(registry).serializer());
                KafkaProducer<String, BudgetAlert> alerts = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()), new StringSerializer(),
                        Topics.BUDGET_ALERTS.valueSerde(registry).serializer())) {
            keys.send(new ProducerRecord<>(auditTopics.apiKeys(), key.getKeyId(), key));
            keys.send(new ProducerRecord<>(auditTopics.apiKeys(), key.getKeyId(),
                    ApiKey.newBuilder(key).setRevokedAt(Instant.now()).build()));
            alerts.send(new ProducerRecord<>(auditTopics.alerts(), tenant, alert));
        }
        String audited = "SELECT count(*) FROM audit_log WHERE tenant_id = ?";

        LedgerSinkService sink = startSink();
        await().atMost(TIMEOUT).until(() -> single(audited, tenant) == 3);
        sink.close();
        startSink();
        produce("after-restart", 1);
        await().atMost(TIMEOUT).until(() -> rows() == 3);

        assertThat(single(audited, tenant)).isEqualTo(3);
        assertThat(single("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND (details LIKE '%$2a$%' "
                + "OR details LIKE '%secret%')", tenant)).isZero();
        assertThat(single("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND actor = 'admin' "
                + "AND action IN ('apikey.created', 'apikey.revoked')", tenant)).isEqualTo(2);
        assertThat(single("SELECT count(*) FROM audit_log WHERE tenant_id = ? AND actor = 'system' "
                + "AND action = 'budget.alert'", tenant)).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> single(
                "SELECT count(*) FROM ledger_checkpoints WHERE tenant_id = 'audit:' || ? AND seq = 3", tenant) == 1);
        try (Connection superuser = db.superuser()) {
            VerificationReport report = new LedgerVerifier(superuser, keys.publicKeys("budgetguard-ledger"))
                    .verify(Optional.of(tenant));
            assertThat(report.ok()).as("%s", report.firstBreak()).isTrue();
            assertThat(report.auditEntriesVerified()).isEqualTo(3);
        }
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
