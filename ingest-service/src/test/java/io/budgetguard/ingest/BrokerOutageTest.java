package io.budgetguard.ingest;

import static io.budgetguard.ingest.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.infra.local.EmbeddedKafka;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ingest.testing.Http;
import io.budgetguard.ingest.testing.TestSecrets;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backpressure with the shared broker stopped and started again (the broker of this test JVM; every other test class
 * finds it running again, the {@code finally} sees to that): during the outage every request is answered 503 with
 * {@code Retry-After} within the publish timeout plus three seconds (slack for a loaded CI machine: one run
 * at load 15 took 3.05 s; without the bound a request would wait for the producer's 120 s delivery timeout), the producer's buffer is the configured bound, nothing
 * is answered 202 without an acknowledgement; after the restart requests are accepted again, and every event that was
 * answered 202 is on {@code usage.events.v1} exactly as sent.
 *
 * <p>With the broker gone the producer loses the topic's metadata and its sends block (bounded by
 * {@code max.block.ms} and the request's deadline) instead of filling the buffer; the refusal of requests when the
 * buffer is nearly full — what a slow or partitioned broker causes — is tested in {@code UsagePublisherTest}.
 */
@ExtendWith(SharedStack.class)
class BrokerOutageTest {

    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ANSWER_BOUND = PUBLISH_TIMEOUT.plusSeconds(3);
    private static final long BUFFER_BYTES = IngestConfig.MIN_PRODUCER_BUFFER_BYTES;
    private static final int EVENTS_PER_REQUEST = 200;
    private static final int SENDERS = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String adminKey = TestSecrets.newAdminKey();
    private final AtomicInteger sequence = new AtomicInteger();
    /** Every event of every request answered 202, by event id, as sent. */
    private final Map<String, JsonNode> acknowledged = new ConcurrentHashMap<>();

    /** One request's outcome. */
    private record Answer(int status, Duration took, String retryAfter, String detail) {}

    @Test
    void shouldAnswer503WithBoundedTimeAndMemoryDuringAnOutageAndLoseNothingAcknowledged(LocalStack stack)
            throws Exception {
        IngestConfig config = IngestConfig.of(stack.kafkaBootstrap(), stack.schemaRegistryUrl(),
                        AdminKeyVerifier.sha256Hex(adminKey))
                .withPort(0).withPublishTimeout(PUBLISH_TIMEOUT).withProducerBufferBytes(BUFFER_BYTES);
        EmbeddedKafka broker = stack.kafka();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try (IngestService ingest = new IngestService(config, Clock.systemUTC()).start()) {
            Http http = new Http("http://127.0.0.1:" + ingest.port());
            String tenant = SharedStack.unique("outage");
            admin(http, "POST", "/admin/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"Outage\"}");
            String token = json(admin(http, "POST", "/admin/tenant/" + tenant + "/apikeys", "{}")).path("api_key").asText();
            assertThat(send(http, token).status()).isEqualTo(202);

            broker.stop();
            List<Answer> duringOutage = sendConcurrently(senders, http, token, 4);

            assertThat(duringOutage).allSatisfy(answer -> {
                assertThat(answer.status()).as(answer.detail()).isEqualTo(503);
                assertThat(answer.retryAfter()).isNotNull();
                assertThat(answer.took()).isLessThanOrEqualTo(ANSWER_BOUND);
            });
            String metrics = http.send("GET", "/metrics", null).body();
            assertThat(metrics).containsPattern("kafka_producer_buffer_total_bytes\\{[^}]*\\} " + (double) BUFFER_BYTES);

            broker.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> send(http, token).status() == 202);
            for (int i = 0; i < 3; i++) {
                assertThat(send(http, token).status()).isEqualTo(202);
            }

            assertEveryAcknowledgedEventOnTheTopic(stack, tenant);
        } finally {
            senders.shutdownNow();
            broker.start();
        }
    }

    /**
     * Set-up writes, before the outage. The test's short publish timeout applies to them too, so on a heavily loaded
     * machine one may be answered 503 (not known to be applied): it is retried, and a tenant that the unanswered
     * attempt did create (409) counts as created.
     */
    private HttpResponse<String> admin(Http http, String method, String path, String body) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            last.set(http.send(method, path, body, "X-Admin-Key", adminKey, "Content-Type", "application/json"));
            return last.get().statusCode() != 503;
        });
        HttpResponse<String> response = last.get();
        assertThat(response.statusCode()).as(response.body())
                .isIn(path.equals("/admin/tenants") ? List.of(201, 409) : List.of(201));
        return response;
    }

    /** {@code SENDERS} threads each sending {@code rounds} requests, one after the other. */
    private List<Answer> sendConcurrently(ExecutorService senders, Http http, String token, int rounds) throws Exception {
        List<Future<List<Answer>>> futures = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            futures.add(senders.submit(() -> {
                List<Answer> answers = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    answers.add(send(http, token));
                }
                return answers;
            }));
        }
        List<Answer> all = new ArrayList<>();
        for (Future<List<Answer>> future : futures) {
            all.addAll(future.get());
        }
        return all;
    }

    /**
     * One batch of events that compress badly (random metadata), so that a few requests fill the small buffer; its
     * events are remembered as acknowledged when the answer is 202.
     */
    private Answer send(Http http, String token) {
        Map<String, JsonNode> events = new HashMap<>();
        Instant occurred = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            String id = "o-" + sequence.incrementAndGet();
            var event = io.budgetguard.common.json.Json.MAPPER.createObjectNode()
                    .put("event_id", id).put("occurred_at", occurred.toString()).put("provider", "openai")
                    .put("model", "gpt-4o").put("input_tokens", RANDOM.nextInt(100_000))
                    .put("output_tokens", RANDOM.nextInt(1000)).put("end_user", "user-" + RANDOM.nextInt(1000));
            var metadata = event.putObject("metadata");
            for (int m = 0; m < 16; m++) {
                byte[] noise = new byte[180];
                RANDOM.nextBytes(noise);
                metadata.put("k" + m, Base64.getEncoder().encodeToString(noise));
            }
            events.put(id, event);
        }
        String body = events.values().stream().map(JsonNode::toString)
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        long started = System.nanoTime();
        HttpResponse<String> response = http.postUsage(token, body);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (response.statusCode() == 202) {
            acknowledged.putAll(events);
        }
        String detail = response.statusCode() == 202 ? "" : json(response).path("detail").asText();
        return new Answer(response.statusCode(), took, response.headers().firstValue("Retry-After").orElse(null), detail);
    }

    private void assertEveryAcknowledgedEventOnTheTopic(LocalStack stack, String tenant) {
        AvroSerde<UsageEvent> serde = Topics.USAGE_EVENTS.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl()));
        Map<String, UsageEvent> found = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE_EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (tenant.equals(record.key())) {
                        UsageEvent event = serde.deserialize(record.topic(), record.value());
                        found.put(event.getEventId(), event);
                    }
                }
                return found.keySet().containsAll(acknowledged.keySet());
            });
        }
        acknowledged.forEach((id, sent) -> {
            UsageEvent event = found.get(id);
            assertThat(event.getTenantId()).isEqualTo(tenant);
            assertThat(event.getOccurredAt()).isEqualTo(Instant.parse(sent.path("occurred_at").asText()));
            assertThat(event.getProvider()).isEqualTo(sent.path("provider").asText());
            assertThat(event.getModel()).isEqualTo(sent.path("model").asText());
            assertThat(event.getInputTokens()).isEqualTo(sent.path("input_tokens").asLong());
            assertThat(event.getOutputTokens()).isEqualTo(sent.path("output_tokens").asLong());
            assertThat(event.getEndUser()).isEqualTo(sent.path("end_user").asText());
            Map<String, String> metadata = new HashMap<>();
            sent.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
            assertThat(event.getMetadata()).isEqualTo(metadata);
        });
    }
}
