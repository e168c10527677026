package io.budgetguard.ledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.testing.LoopbackHttp;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.audit.AuditRecord;
import io.budgetguard.ledger.audit.AuditTopics;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.ChainIds;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.privacy.DataKeyRef;
import io.budgetguard.ledger.privacy.PersonalDataCipher;
import io.budgetguard.ledger.privacy.TenantDataKeys;
import io.budgetguard.ledger.sink.LedgerSinkConfig;
import io.budgetguard.ledger.sink.LedgerSinkService;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read API on a running sink: every role of tenant A sees A's rows and never B's, through either route, whatever
 * the query says; and the database's reader role enforces the same below the API.
 */
@ExtendWith(SharedStack.class)
class LedgerApiTest {

    private enum KeyRole { OWNER, ADMIN, DEVELOPER, VIEWER }

    private static final SecretHasher FAST_BCRYPT = new SecretHasher(4);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LedgerDatabase db;
    private static LocalKeyService keys;
    private static LedgerSinkService sink;
    private static String tenantA;
    private static String tenantB;
    private static String erasedTenant;
    private static final Map<KeyRole, PresentedKey> keysOfA = new EnumMap<>(KeyRole.class);
    private static PresentedKey keyOfB;
    private static PresentedKey keyOfErased;
    private static PresentedKey revokedKeyOfA;
    private static String metaTenant;
    private static PresentedKey keyOfMeta;
    private static String suspendedTenant;
    private static PresentedKey keyOfSuspended;
    /** Keys of A that only the flood tests use: their first verification happens there. */
    private static PresentedKey floodedKeyOfA;
    private static PresentedKey keyIdFloodedKeyOfA;

    /**
     * SQL, CSV (the sink writes with COPY … CSV) and JSON metacharacters, for every string column of an entry: they must
     * come back exactly as written, in their own column, and the chain must verify.
     */
    private static final List<String> METACHARACTERS = List.of("x'); DROP TABLE ledger_entries; --",
            "a\",b\",\"c", "line\nbreak\r\n", "tab\there", "back\\slash\\", "\\.", "semi;colon", "100%_like",
            "$1 $$dollar$$", "null", "\\N", "' OR '1'='1", "\u00e9\u4e2d\ud83d\ude00", "\",\"\n\\.\n");

    @TempDir
    static Path keyDir;

    @BeforeAll
    static void startSinkWithTwoTenants() throws Exception {
        LocalStack stack = SharedStack.stack();
        db = LedgerDatabase.create("api");
        keys = LocalKeyService.open(keyDir, "test");
        tenantA = SharedStack.unique("acme");
        tenantB = SharedStack.unique("globex");
        erasedTenant = SharedStack.unique("initech");
        metaTenant = SharedStack.unique("meta");
        suspendedTenant = SharedStack.unique("hooli");
        AuditTopics topics = AuditTopics.suffixed("-" + SharedStack.uniqueSuffix());
        String priced = SharedStack.unique("priced");
        try (Admin admin = stack.admin()) {
            List<NewTopic> created = new ArrayList<>(List.of(new NewTopic(priced, 1, (short) 1)));
            topics.names().forEach(name -> created.add(new NewTopic(name, 1, (short) 1)));
            admin.createTopics(created).all().get();
        }
        writeLedger();
        publishTenantsAndKeys(stack, topics);
        sink = new LedgerSinkService(LedgerSinkConfig.of(stack.kafkaBootstrap(), stack.schemaRegistryUrl(), db.url(),
                db.writerUser(), db.writerPassword()).withTopic(priced).withConsumerGroup(SharedStack.unique("g"))
                .withHttp("127.0.0.1", 0).withAuditTopics(topics), keys).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/v1/ledger", keysOfA.get(KeyRole.VIEWER)).statusCode() == 200);
    }

    @AfterAll
    static void stopSink() {
        if (sink != null) {
            sink.close();
        }
    }

    private static void writeLedger() throws SQLException {
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            TenantDataKeys dataKeys = new TenantDataKeys(keys, Clock.systemUTC());
            Map<String, DataKeyRef> dataKeyOf = dataKeys.forEncryption(writer, Set.of(tenantA, erasedTenant));
            List<LedgerEntry> entries = new ArrayList<>();
            entries.addAll(chain(tenantA, "a", 5, dataKeyOf.get(tenantA)));
            entries.addAll(chain(tenantB, "b", 3, null));
            entries.addAll(chain(erasedTenant, "c", 1, dataKeyOf.get(erasedTenant)));
            entries.addAll(metacharacterChain());
            entries.addAll(chain(suspendedTenant, "s", 1, null));
            LedgerCopyWriter.append(writer, entries);
            CheckpointSigner signer = new CheckpointSigner(keys, Clock.systemUTC());
            CheckpointStore.insert(writer, List.of(
                    signer.sign(tenantA, ChainHead.of(entries.get(4))),
                    signer.sign(tenantB, ChainHead.of(entries.get(7))),
                    signer.sign(ChainIds.audit(tenantA), ChainHead.of(entries.get(0)))));
            writer.commit();
        }
        keys.deleteKey(KeyNames.tenantDataKey(erasedTenant));
    }

    private static List<LedgerEntry> chain(String tenant, String prefix, int count, DataKeyRef dataKey) {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (int i = 1; i <= count; i++) {
            EntryContent plain = Fixtures.content(tenant, prefix + "-evt-" + i);
            String endUser = dataKey == null || i != 1 ? "" : PersonalDataCipher.encrypt(dataKey, tenant,
                    plain.eventId(), PersonalDataCipher.END_USER, "alice@example.com");
            EntryContent content = new EntryContent(tenant, plain.eventId(), plain.apiKeyId(), plain.occurredAt(),
                    plain.receivedAt(), plain.provider(), plain.model(), 1000, 200, 0, 300, 0, plain.costUsd(),
                    plain.priceVersion(), endUser, "", 0, i);
            LedgerEntry entry = head.append(content);
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        return entries;
    }

    /**
     * One entry per metacharacter string in every free-text column (the personal-data columns hold the sink's own
     * ciphertext, never client text).
     */
    private static List<LedgerEntry> metacharacterChain() {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (int i = 0; i < METACHARACTERS.size(); i++) {
            String text = METACHARACTERS.get(i);
            EntryContent plain = Fixtures.content(metaTenant, "m-" + i);
            EntryContent content = new EntryContent(metaTenant, text + "#" + i, text, plain.occurredAt(),
                    plain.receivedAt(), text, text, 1, 2, 3, 4, 0, plain.costUsd(), text, "", "", 0, i + 1);
            LedgerEntry entry = head.append(content);
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        return entries;
    }

    private static void publishTenantsAndKeys(LocalStack stack, AuditTopics topics) {
        HttpSchemaRegistry registry = new HttpSchemaRegistry(stack.schemaRegistryUrl());
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        try (KafkaProducer<String, Tenant> tenants = new KafkaProducer<>(props, new StringSerializer(),
                Topics.CONTROL_TENANTS.valueSerde(registry).serializer());
                KafkaProducer<String, ApiKey> apiKeys = new KafkaProducer<>(props, new StringSerializer(),
                        Topics.CONTROL_APIKEYS.valueSerde(registry).serializer())) {
            for (String tenant : List.of(tenantA, tenantB, erasedTenant, metaTenant, suspendedTenant)) {
                tenants.send(new ProducerRecord<>(topics.tenants(), tenant, Tenant.newBuilder().setTenantId(tenant)
                        .setName(tenant).setStatus(tenant.equals(suspendedTenant) ? "suspended" : "active").setRateLimitEventsPerS(null).setCreatedAt(Instant.now())
                        .setUpdatedAt(Instant.now()).build()));
            }
            for (KeyRole role : KeyRole.values()) {
                keysOfA.put(role, publishKey(apiKeys, topics, tenantA, role.name().toLowerCase(), null));
            }
            keyOfB = publishKey(apiKeys, topics, tenantB, "viewer", null);
            keyOfErased = publishKey(apiKeys, topics, erasedTenant, "viewer", null);
            revokedKeyOfA = publishKey(apiKeys, topics, tenantA, "owner", Instant.now().minusSeconds(1));
            keyOfMeta = publishKey(apiKeys, topics, metaTenant, "viewer", null);
            keyOfSuspended = publishKey(apiKeys, topics, suspendedTenant, "owner", null);
            floodedKeyOfA = publishKey(apiKeys, topics, tenantA, "viewer", null);
            keyIdFloodedKeyOfA = publishKey(apiKeys, topics, tenantA, "viewer", null);
        }
    }

    private static PresentedKey publishKey(KafkaProducer<String, ApiKey> producer, AuditTopics topics, String tenant,
            String role, Instant revokedAt) {
        PresentedKey key = ApiKeys.generate();
        producer.send(new ProducerRecord<>(topics.apiKeys(), key.keyId(), ApiKey.newBuilder().setKeyId(key.keyId())
                .setTenantId(tenant).setRole(role).setSecretHash(FAST_BCRYPT.hash(key.secret()))
                .setCreatedAt(Instant.now()).setRevokedAt(revokedAt).build()));
        return key;
    }

    private static HttpResponse<String> get(String pathAndQuery, PresentedKey key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sink.port() + pathAndQuery));
        if (key != null) {
            request.header("Authorization", "Bearer " + key.token());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private static List<String> eventIds(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.get("entries").forEach(entry -> ids.add(entry.get("event_id").asText()));
        return ids;
    }

    @Test
    void shouldShowEveryRoleOfATenantItsOwnEntriesAndCheckpointsAndNeverAnotherTenants() throws Exception {
        for (PresentedKey key : keysOfA.values()) {
            for (String route : List.of("/v1/ledger", "/v1/ledger?tenant_id=" + tenantB, "/v1/ledger/checkpoints",
                    "/v1/ledger/checkpoints?tenant_id=" + tenantB, "/v1/ledger?after_seq=0&limit=1000")) {
                HttpResponse<String> response = get(route, key);

                assertThat(response.statusCode()).as(route).isEqualTo(200);
                assertThat(response.body()).as(route).doesNotContain(tenantB).doesNotContain("b-evt-")
                        .doesNotContain(erasedTenant);
                assertThat(Json.MAPPER.readTree(response.body()).get("tenant_id").asText()).isEqualTo(tenantA);
            }
            assertThat(eventIds(json(get("/v1/ledger", key)))).containsExactly("a-evt-1", "a-evt-2", "a-evt-3",
                    "a-evt-4", "a-evt-5");
            assertThat(json(get("/v1/ledger/checkpoints", key)).get("checkpoints")).singleElement()
                    .satisfies(c -> assertThat(c.get("seq").asLong()).isEqualTo(5));
        }
        JsonNode ofB = json(get("/v1/ledger?tenant_id=" + tenantA, keyOfB));
        assertThat(ofB.get("tenant_id").asText()).isEqualTo(tenantB);
        assertThat(eventIds(ofB)).containsExactly("b-evt-1", "b-evt-2", "b-evt-3");
    }

    @Test
    void shouldPageBySeq() throws Exception {
        JsonNode first = json(get("/v1/ledger?limit=2", keysOfA.get(KeyRole.VIEWER)));
        JsonNode last = json(get("/v1/ledger?after_seq=4&limit=2", keysOfA.get(KeyRole.VIEWER)));

        assertThat(eventIds(first)).containsExactly("a-evt-1", "a-evt-2");
        assertThat(first.get("next_after_seq").asLong()).isEqualTo(2);
        assertThat(eventIds(last)).containsExactly("a-evt-5");
        assertThat(last.get("next_after_seq").isNull()).isTrue();
    }

    @Test
    void shouldGiveWhatAnyoneNeedsToRecomputeTheChain() throws Exception {
        JsonNode entry = json(get("/v1/ledger?limit=1", keysOfA.get(KeyRole.VIEWER))).get("entries").get(0);

        assertThat(entry.get("seq").asLong()).isEqualTo(1);
        assertThat(entry.get("prev_hash").asText()).isEqualTo("0".repeat(64));
        assertThat(entry.get("entry_hash").asText()).hasSize(64);
        assertThat(entry.get("cost_usd").asText()).isEqualTo("0.005750000");
        assertThat(entry.get("occurred_at").asText()).isEqualTo("2025-03-01T12:00:00.123Z");
        assertThat(entry.get("end_user_ct").asText()).startsWith("v1:1:");
    }

    @Test
    void shouldDecryptPersonalDataForItsTenant() throws Exception {
        JsonNode entries = json(get("/v1/ledger", keysOfA.get(KeyRole.VIEWER))).get("entries");

        assertThat(entries.get(0).get("end_user").asText()).isEqualTo("alice@example.com");
        assertThat(entries.get(0).get("personal_data").asText()).isEqualTo("present");
        assertThat(entries.get(1).get("personal_data").asText()).isEqualTo("none");
    }

    @Test
    void shouldShowErasedPersonalDataAsErased() throws Exception {
        JsonNode entry = json(get("/v1/ledger", keyOfErased)).get("entries").get(0);

        assertThat(entry.get("end_user").isNull()).isTrue();
        assertThat(entry.get("personal_data").asText()).isEqualTo("erased");
        assertThat(entry.get("end_user_ct").asText()).startsWith("v1:1:");
    }

    @Test
    void shouldRefuseMissingWrongAndRevokedKeys() throws Exception {
        PresentedKey wrongSecret = new PresentedKey(keysOfA.get(KeyRole.OWNER).keyId(),
                ApiKeys.generate().secret());

        assertThat(get("/v1/ledger", null).statusCode()).isEqualTo(401);
        assertThat(get("/v1/ledger", null).headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(get("/v1/ledger", wrongSecret).statusCode()).isEqualTo(401);
        assertThat(get("/v1/ledger/checkpoints", revokedKeyOfA).statusCode()).isEqualTo(401);
        assertThat(get("/v1/ledger", ApiKeys.generate()).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseASuspendedTenantsKeyAndMalformedKeysOnEveryRoute() throws Exception {
        String owner = keysOfA.get(KeyRole.OWNER).token();
        for (String route : List.of("/v1/ledger", "/v1/ledger/checkpoints")) {
            assertThat(get(route, keyOfSuspended).statusCode()).as(route).isEqualTo(401);
            for (String authorization : List.of("Bearer", "Bearer bg_", "Bearer bg_x.y", "Basic " + owner,
                    "Bearer " + owner.replace('.', '-'), "Bearer bg_' OR '1'='1.x", "Bearer " + "a".repeat(5000))) {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + sink.port() + route)).header("Authorization", authorization)
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(route + " with " + authorization.substring(0,
                        Math.min(20, authorization.length()))).isEqualTo(401);
                assertThat(response.body()).doesNotContain(tenantA, "a-evt-", owner.substring(owner.indexOf('.') + 1));
            }
        }
    }

    @Test
    void shouldAnswerSqlMetacharactersInTheQueryWith400AndNeverAnotherTenantsRows() throws Exception {
        PresentedKey viewer = keysOfA.get(KeyRole.VIEWER);
        for (String query : List.of("after_seq=0;DROP%20TABLE%20ledger_entries", "after_seq=0%27%20OR%20%271%27=%271",
                "limit=1%20OR%201=1", "after_seq=0)%20UNION%20SELECT%20*%20FROM%20ledger_entries--",
                "limit=%27;%20SET%20app.tenant_id=%27" + tenantB)) {
            HttpResponse<String> response = get("/v1/ledger?" + query, viewer);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).doesNotContain(tenantB, "b-evt-");
        }
        // a tenant or a key smuggled in the path or the query changes nothing: the key decides
        for (String route : List.of("/v1/ledger?tenant_id=" + tenantB + "&api_key_id=x&app.tenant_id=" + tenantB,
                "/v1/ledger/checkpoints?tenant=" + tenantB)) {
            HttpResponse<String> response = get(route, viewer);
            assertThat(response.statusCode()).as(route).isEqualTo(200);
            assertThat(response.body()).doesNotContain(tenantB, "b-evt-");
        }
        assertThat(get("/v1/ledger/" + tenantB, viewer).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldStoreAndServeSqlCsvAndJsonMetacharactersExactlyAndKeepTheChainVerifiable() throws Exception {
        JsonNode entries = json(get("/v1/ledger", keyOfMeta)).get("entries");

        assertThat(entries).hasSize(METACHARACTERS.size());
        for (int i = 0; i < METACHARACTERS.size(); i++) {
            String text = METACHARACTERS.get(i);
            JsonNode entry = entries.get(i);
            assertThat(entry.get("tenant_id") == null ? metaTenant : entry.get("tenant_id").asText())
                    .isEqualTo(metaTenant);
            assertThat(entry.get("event_id").asText()).isEqualTo(text + "#" + i);
            assertThat(entry.get("api_key_id").asText()).isEqualTo(text);
            assertThat(entry.get("provider").asText()).isEqualTo(text);
            assertThat(entry.get("model").asText()).isEqualTo(text);
            assertThat(entry.get("price_version").asText()).isEqualTo(text);
            assertThat(entry.get("input_tokens").asLong()).isEqualTo(1);
            assertThat(entry.get("output_tokens").asLong()).isEqualTo(4);
        }
        try (Connection superuser = db.superuser(); Statement statement = superuser.createStatement()) {
            assertThat(new io.budgetguard.ledger.verify.LedgerVerifier(superuser).verify(
                    java.util.Optional.of(metaTenant)).ok()).isTrue();
            try (ResultSet count = statement.executeQuery("SELECT count(*) FROM ledger_entries")) {
                count.next();
                assertThat(count.getLong(1)).as("every table still there, every row").isEqualTo(
                        5 + 3 + 1 + METACHARACTERS.size() + 1);
            }
        }
    }

    @Test
    void shouldRefuseABadPage() throws Exception {
        assertThat(get("/v1/ledger?limit=0", keysOfA.get(KeyRole.VIEWER)).statusCode()).isEqualTo(400);
        assertThat(get("/v1/ledger?limit=1001", keysOfA.get(KeyRole.VIEWER)).statusCode()).isEqualTo(400);
        assertThat(get("/v1/ledger?after_seq=-1", keysOfA.get(KeyRole.VIEWER)).statusCode()).isEqualTo(400);
        assertThat(get("/v1/ledger/checkpoints?limit=x", keysOfA.get(KeyRole.VIEWER)).statusCode()).isEqualTo(400);
    }

    @Test
    void shouldKeepTheReaderRoleToItsTenantInEveryTable() throws SQLException {
        try (Connection writer = db.writer()) {
            // AuditAppender is package-private in the sink: write one audit row per tenant directly
            writer.setAutoCommit(false);
            for (String tenant : List.of(tenantA, tenantB)) {
                io.budgetguard.ledger.audit.AuditEntry entry = io.budgetguard.ledger.audit.AuditEntry.append(
                        new AuditRecord(tenant, Instant.now(), "admin", "tenant.created", "tenant/" + tenant, "{}"),
                        ChainHead.EMPTY);
                try (PreparedStatement insert = writer.prepareStatement("INSERT INTO audit_log VALUES (?, ?, now(), "
                        + "?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                    insert.setString(1, tenant);
                    insert.setLong(2, entry.seq());
                    insert.setString(3, entry.actor());
                    insert.setString(4, entry.action());
                    insert.setString(5, entry.subject());
                    insert.setString(6, entry.details());
                    insert.setBytes(7, entry.prevHash().bytes());
                    insert.setBytes(8, entry.entryHash().bytes());
                    insert.execute();
                }
            }
            writer.commit();
        }
        for (Connection connection : List.of(db.reader(), db.writer())) {
            try (connection) {
                connection.setAutoCommit(false);
                try (Statement sql = connection.createStatement()) {
                    // the API's path: the writer's login becomes the reader for the transaction
                    sql.execute("SET LOCAL ROLE " + Migrations.READER_ROLE);
                    sql.execute("SELECT set_config('budgetguard.tenant_id', '" + tenantA + "', true)");
                    for (String table : List.of("ledger_entries", "ledger_checkpoints", "audit_log",
                            "tenant_data_keys")) {
                        assertThat(count(sql, "SELECT count(*) FROM " + table + " WHERE tenant_id NOT IN ('"
                                + tenantA + "', 'audit:" + tenantA + "')")).as(table).isZero();
                        assertThat(count(sql, "SELECT count(*) FROM " + table + " WHERE tenant_id LIKE '%"
                                + tenantB + "'")).as(table).isZero();
                    }
                    assertThat(count(sql, "SELECT count(*) FROM ledger_entries")).isEqualTo(5);
                    assertThat(count(sql, "SELECT count(*) FROM ledger_checkpoints")).isEqualTo(2);
                    assertThat(count(sql, "SELECT count(*) FROM tenant_data_keys")).isEqualTo(1);
                }
                connection.rollback();
            }
        }
    }

    private static long count(Statement sql, String query) throws SQLException {
        try (ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** {@code GET route} from another loopback address (the sink listens on 127.0.0.1; the tests' own client uses it). */
    private static LoopbackHttp.Response getFrom(String address, String route, PresentedKey key) {
        return LoopbackHttp.get(address, sink.port(), route, "Bearer " + key.token());
    }

    private static PresentedKey wrongSecretOf(PresentedKey key) {
        return new PresentedKey(key.keyId(), ApiKeys.generate().secret());
    }

    /**
     * The default limits (LEDGER_AUTH_FAILURES_PER_MIN_PER_ADDRESS 10, …_PER_KEY 30): a flood of random secrets from
     * one address is answered 401 ten times, then 429 with Retry-After and no bcrypt; meanwhile the same key's right
     * secret is still verified from another address (its first verification), and once verified it is answered even
     * from the flooding address. Random key ids from one address are throttled the same way.
     */
    @Test
    void shouldAnswerAFloodOfRandomSecretsFromOneAddressWith429WithoutStarvingAValidKeyFromAnother() {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            String route = i % 2 == 0 ? "/v1/ledger" : "/v1/ledger/checkpoints";
            LoopbackHttp.Response response = getFrom("127.0.0.2", route, wrongSecretOf(floodedKeyOfA));
            statuses.merge(response.status(), 1, Integer::sum);
            if (response.status() == 429) {
                assertThat(Integer.parseInt(response.header("Retry-After"))).isBetween(1, 60);
                assertThat(response.body()).contains("client address").doesNotContain(tenantA, "a-evt-");
            }
        }
        assertThat(statuses.keySet()).as("answers %s", statuses).containsOnly(401, 429);
        // 10 tokens, refilled at one per 6 s: the flood takes far less than 12 s
        assertThat(statuses.get(401)).as("answers %s", statuses).isBetween(10, 12);

        assertThat(eventIdsOf(getFrom("127.0.0.3", "/v1/ledger", floodedKeyOfA))).hasSize(5);
        assertThat(getFrom("127.0.0.2", "/v1/ledger", floodedKeyOfA).status()).isEqualTo(200);
        assertThat(getFrom("127.0.0.2", "/v1/ledger", wrongSecretOf(floodedKeyOfA)).status()).isEqualTo(429);

        Map<Integer, Integer> randomIds = new TreeMap<>();
        for (int i = 0; i < 15; i++) {
            randomIds.merge(getFrom("127.0.0.4", "/v1/ledger", ApiKeys.generate()).status(), 1, Integer::sum);
        }
        assertThat(randomIds.keySet()).as("answers %s", randomIds).containsOnly(401, 429);
        assertThat(randomIds.get(401)).as("answers %s", randomIds).isBetween(10, 12);
        assertThat(getFrom("127.0.0.5", "/v1/ledger", floodedKeyOfA).status()).isEqualTo(200);
    }

    /**
     * Wrong secrets for one key id from many addresses, each below its own limit: after 30 (the per-key limit) the key
     * id answers 429 naming it, from any address; the holder's already verified secret keeps working.
     */
    @Test
    void shouldLimitFailedAttemptsPerKeyIdAcrossAddressesWithoutLockingOutItsVerifiedSecret() {
        assertThat(getFrom("127.0.1.100", "/v1/ledger", keyIdFloodedKeyOfA).status()).isEqualTo(200);
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int address = 1; address <= 8; address++) {
            for (int i = 0; i < 5; i++) {
                statuses.merge(getFrom("127.0.1." + address, "/v1/ledger", wrongSecretOf(keyIdFloodedKeyOfA))
                        .status(), 1, Integer::sum);
            }
        }
        assertThat(statuses.keySet()).as("answers %s", statuses).containsOnly(401, 429);
        assertThat(statuses.get(401)).as("answers %s", statuses).isBetween(30, 32);

        LoopbackHttp.Response throttled = getFrom("127.0.1.50", "/v1/ledger/checkpoints",
                wrongSecretOf(keyIdFloodedKeyOfA));
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.body()).contains("API key " + keyIdFloodedKeyOfA.keyId());
        assertThat(throttled.header("Retry-After")).isNotNull();
        assertThat(getFrom("127.0.1.50", "/v1/ledger", keyIdFloodedKeyOfA).status()).isEqualTo(200);
    }

    private static List<String> eventIdsOf(LoopbackHttp.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        try {
            return eventIds(Json.MAPPER.readTree(response.body()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
