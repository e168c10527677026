package io.budgetguard.ingest;

import static io.budgetguard.ingest.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.FlakyHttpProxy;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.schemas.serde.SchemaRegistryException;
import io.budgetguard.ingest.testing.Http;
import io.budgetguard.ingest.testing.TestSecrets;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.BudgetStatusEntry;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** ingest-service on the shared stack: a real KRaft broker and Apicurio Registry, reached over HTTP. */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestServiceTest {

    private final String adminKey = TestSecrets.newAdminKey();
    private LocalStack stack;
    private IngestService ingest;
    private Http http;

    @BeforeAll
    void start(LocalStack stack) {
        this.stack = stack;
        ingest = new IngestService(config(), Clock.systemUTC()).start();
        http = new Http("http://127.0.0.1:" + ingest.port());
    }

    @AfterAll
    void stop() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private IngestConfig config() {
        return config(stack.schemaRegistryUrl(), 60_000);
    }

    private IngestConfig config(String registryUrl, int startupTimeoutMs) {
        return IngestConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
                "SCHEMA_REGISTRY_URL", registryUrl,
                "BUDGETGUARD_ADMIN_KEY_SHA256", AdminKeyVerifier.sha256Hex(adminKey),
                "INGEST_PORT", "0",
                "INGEST_STARTUP_TIMEOUT_MS", String.valueOf(startupTimeoutMs)));
    }

    @Test
    void shouldWaitAtStartUpForASchemaRegistryThatIsStillStarting() {
        try (FlakyHttpProxy registry = FlakyHttpProxy.start(stack.schemaRegistryUrl(), 3);
             IngestService second = new IngestService(config(registry.url(), 60_000), Clock.systemUTC()).start()) {
            assertThat(registry.requests()).as("three refusals, then the registrations").isGreaterThan(3);
            assertThat(second.isReady()).isTrue();
        }
    }

    @Test
    void shouldGiveUpOnAnUnavailableSchemaRegistryAtTheStartUpDeadline() {
        try (FlakyHttpProxy registry = FlakyHttpProxy.start(stack.schemaRegistryUrl(), Integer.MAX_VALUE)) {
            IngestService failing = new IngestService(config(registry.url(), 1_500), Clock.systemUTC());
            assertThatThrownBy(failing::start).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("HTTP 503");
            assertThat(registry.requests()).as("retried until the deadline").isGreaterThan(1);
        }
    }

    private HttpResponse<String> admin(Http to, String method, String path, String body) {
        return to.send(method, path, body, "X-Admin-Key", adminKey, "Content-Type", "application/json");
    }

    private String createTenant() {
        String tenant = SharedStack.unique("tenant");
        assertThat(admin(http, "POST", "/admin/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"Test\"}").statusCode())
                .isEqualTo(201);
        return tenant;
    }

    private JsonNode createKey(String tenant, String role) {
        HttpResponse<String> response = admin(http, "POST", "/admin/tenant/" + tenant + "/apikeys",
                "{\"role\":\"" + role + "\"}");
        assertThat(response.statusCode()).isEqualTo(201);
        return json(response);
    }

    private static String event(String id, Instant occurredAt) {
        return "{\"event_id\":\"" + id + "\",\"occurred_at\":\"" + occurredAt + "\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"input_tokens\":1000,\"cached_input_tokens\":24,\"output_tokens\":200,"
                + "\"end_user\":\"u-1\",\"metadata\":{\"team\":\"search\"}}";
    }

    /** Every usage event of {@code tenant} on the topic, waiting until there are {@code expected}. */
    private List<UsageEvent> consumeUsage(String tenant, int expected) {
        AvroSerde<UsageEvent> serde = Topics.USAGE_EVENTS.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl()));
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<UsageEvent> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE_EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (tenant.equals(record.key())) {
                        found.add(serde.deserialize(record.topic(), record.value()));
                    }
                }
                return found.size() >= expected;
            });
        }
        return found;
    }

    @Test
    void shouldBeReadyOnceStarted() {
        assertThat(ingest.isReady()).isTrue();
        assertThat(http.send("GET", "/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(http.send("GET", "/metrics", null).body()).contains("budgetguard_ingest_events_accepted");
    }

    @Test
    void shouldPublishEventsSentWithAKeyCreatedThroughTheAdminApi() {
        String tenant = createTenant();
        JsonNode key = createKey(tenant, "developer");
        Instant occurred = Instant.now().minus(1, ChronoUnit.MINUTES).plusNanos(123_456_789 - Instant.now().getNano());
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        HttpResponse<String> single = http.postUsage(key.path("api_key").asText(), event("e-1", occurred));
        HttpResponse<String> batch = http.postUsage(key.path("api_key").asText(),
                "{\"events\":[" + event("e-2", occurred) + "," + event("e-3", occurred) + "]}");

        assertThat(single.statusCode()).isEqualTo(202);
        assertThat(json(single).path("accepted").asInt()).isEqualTo(1);
        assertThat(single.headers().firstValue("X-Budget-Status")).contains("ok");
        assertThat(batch.statusCode()).isEqualTo(202);
        assertThat(json(batch).path("accepted").asInt()).isEqualTo(2);
        List<UsageEvent> events = consumeUsage(tenant, 3);
        assertThat(events).extracting(UsageEvent::getEventId).containsExactlyInAnyOrder("e-1", "e-2", "e-3");
        assertThat(events).allSatisfy(event -> {
            assertThat(event.getTenantId()).isEqualTo(tenant);
            assertThat(event.getApiKeyId()).isEqualTo(key.path("key_id").asText());
            assertThat(event.getOccurredAt()).isEqualTo(occurred.truncatedTo(ChronoUnit.MILLIS));
            assertThat(event.getReceivedAt()).isBetween(before, Instant.now());
            assertThat(event.getInputTokens()).isEqualTo(1000);
            assertThat(event.getCachedInputTokens()).isEqualTo(24);
            assertThat(event.getOutputTokens()).isEqualTo(200);
            assertThat(event.getEndUser()).isEqualTo("u-1");
            assertThat(event.getMetadata()).containsEntry("team", "search");
        });
    }

    @Test
    void shouldRefuseARevokedKey() {
        String tenant = createTenant();
        JsonNode key = createKey(tenant, "developer");
        String token = key.path("api_key").asText();
        assertThat(http.postUsage(token, event("r-1", Instant.now())).statusCode()).isEqualTo(202);

        assertThat(admin(http, "DELETE", "/admin/tenant/" + tenant + "/apikeys/" + key.path("key_id").asText(), null)
                .statusCode()).isEqualTo(200);

        HttpResponse<String> refused = http.postUsage(token, event("r-2", Instant.now()));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void shouldRefuseAViewerKeyOnUsageButServeItTheBudgetStatus() {
        String tenant = createTenant();
        String viewer = createKey(tenant, "viewer").path("api_key").asText();

        assertThat(http.postUsage(viewer, event("v-1", Instant.now())).statusCode()).isEqualTo(403);
        assertThat(http.send("GET", "/v1/budgets/status", null, "Authorization", "Bearer " + viewer).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldShareAdminChangesWithEveryInstanceThroughKafka() {
        String tenant = createTenant();
        try (IngestService second = new IngestService(config(), Clock.systemUTC()).start()) {
            Http other = new Http("http://127.0.0.1:" + second.port());
            assertThat(admin(other, "GET", "/admin/tenants/" + tenant, null).statusCode()).isEqualTo(200);

            JsonNode key = createKey(tenant, "developer");
            String token = key.path("api_key").asText();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> other.postUsage(token, event("x-1", Instant.now())).statusCode() == 202);

            admin(http, "DELETE", "/admin/tenant/" + tenant + "/apikeys/" + key.path("key_id").asText(), null);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> other.postUsage(token, event("x-2", Instant.now())).statusCode() == 401);

            admin(http, "PATCH", "/admin/tenants/" + tenant, "{\"status\":\"suspended\"}");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    json(admin(other, "GET", "/admin/tenants/" + tenant, null)).path("status").asText().equals("suspended"));
        }
    }

    @Test
    void shouldReportTheBudgetStatusMeteringPublishes() {
        String tenant = createTenant();
        String token = createKey(tenant, "developer").path("api_key").asText();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        BudgetStatus status = new BudgetStatus(tenant, "exceeded", now, List.of(new BudgetStatusEntry("main", "monthly",
                now.truncatedTo(ChronoUnit.DAYS), new BigDecimal("10.000000000"), new BigDecimal("12.500000000"),
                "exceeded")));
        byte[] value = Topics.BUDGET_STATUS.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl()))
                .serialize(Topics.BUDGET_STATUS.name(), status);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(Topics.BUDGET_STATUS.name(), tenant, value));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> http.postUsage(token, event("s-1", Instant.now()))
                .headers().firstValue("X-Budget-Status").orElse("").equals("exceeded"));
        JsonNode body = json(http.send("GET", "/v1/budgets/status", null, "Authorization", "Bearer " + token));
        assertThat(body.path("status").asText()).isEqualTo("exceeded");
        assertThat(body.path("budgets").get(0).path("spend_usd").asText()).isEqualTo("12.5");
        assertThat(body.path("budgets").get(0).path("limit_usd").asText()).isEqualTo("10");
    }
}
