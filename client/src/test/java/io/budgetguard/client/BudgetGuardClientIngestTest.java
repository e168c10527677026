package io.budgetguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestService;
import io.budgetguard.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client against the real ingest-service on the shared stack (KRaft broker, Apicurio Registry). */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BudgetGuardClientIngestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String adminKey = AdminKeyVerifier.newAdminKey();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalStack stack;
    private IngestService ingest;
    private String ingestUrl;

    @BeforeAll
    void start(LocalStack stack) {
        this.stack = stack;
        ingest = new IngestService(IngestConfig.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
                "SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl(),
                "BUDGETGUARD_ADMIN_KEY_SHA256", AdminKeyVerifier.sha256Hex(adminKey),
                "INGEST_PORT", "0")), Clock.systemUTC()).start();
        ingestUrl = "http://127.0.0.1:" + ingest.port();
    }

    @AfterAll
    void stop() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private JsonNode admin(String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ingestUrl + path))
                .header("X-Admin-Key", adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " answered " + response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    /** A new tenant and a developer key of it (the secret). */
    private String[] tenantWithKey() throws Exception {
        String tenant = SharedStack.unique("client");
        admin("/admin/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"Client test\"}");
        String apiKey = admin("/admin/tenant/" + tenant + "/apikeys", "{\"role\":\"developer\"}").path("api_key").asText();
        return new String[] {tenant, apiKey};
    }

    /** Event ids of {@code tenant} on usage.events.v1, once there are at least {@code expected}. */
    private List<String> publishedEventIds(String tenant, int expected) {
        var serde = Topics.USAGE_EVENTS.valueSerde(new io.budgetguard.schemas.serde.HttpSchemaRegistry(stack.schemaRegistryUrl()));
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE_EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (tenant.equals(record.key())) {
                        ids.add(serde.deserialize(record.topic(), record.value()).getEventId());
                    }
                }
                return ids.size() >= expected;
            });
        }
        return ids;
    }

    @Test
    void shouldDeliverBatchedEventsToTheUsageTopic() throws Exception {
        String[] tenantAndKey = tenantWithKey();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<UsageEvent> events = IntStream.range(0, 120)
                .mapToObj(i -> UsageEvent.of("it-" + i, now, "openai", "gpt-4o", 1000 + i, 100)
                        .withMetadata(Map.of("team", "search")))
                .toList();

        try (BudgetGuardClient client = BudgetGuardClient.builder(ingestUrl, tenantAndKey[1]).batchSize(50).build()) {
            List<CompletableFuture<Ack>> acks = events.stream().map(client::send).toList();
            client.flush();
            for (CompletableFuture<Ack> ack : acks) {
                assertThat(ack.get(1, TimeUnit.SECONDS).attempts()).isEqualTo(1);
            }
            assertThat(client.lastBudgetStatus()).contains(BudgetStatus.OK);
        }

        assertThat(publishedEventIds(tenantAndKey[0], 120))
                .containsExactlyInAnyOrderElementsOf(events.stream().map(UsageEvent::eventId).toList());
    }

    @Test
    void shouldSurfaceTheServersFieldErrorsForAnInvalidEvent() throws Exception {
        String[] tenantAndKey = tenantWithKey();
        UsageEvent future = UsageEvent.of("it-future", Instant.now().plus(1, ChronoUnit.HOURS), "openai", "gpt-4o", 1, 1);

        try (BudgetGuardClient client = BudgetGuardClient.builder(ingestUrl, tenantAndKey[1]).build()) {
            CompletableFuture<Ack> ack = client.send(future);
            client.flush();

            assertThat(ack).isCompletedExceptionally();
            Throwable failure = ack.handle((ok, error) -> error).get();
            assertThat(failure).isInstanceOf(UsageRejectedException.class);
            assertThat(((UsageRejectedException) failure).fieldErrors()).extracting(FieldError::field)
                    .containsExactly("occurred_at");
        }
    }
}
