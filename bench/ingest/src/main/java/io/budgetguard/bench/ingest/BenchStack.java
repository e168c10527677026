package io.budgetguard.bench.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.infra.local.EmbeddedKafka;
import io.budgetguard.infra.local.EmbeddedRegistry;
import io.budgetguard.infra.topics.TopicManifest;
import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One embedded KRaft broker with the topic manifest applied (usage.events.v1 has 6 partitions), the Apicurio
 * registry (only touched at start: schema ids are cached), and ingest-service instances on free loopback ports.
 */
final class BenchStack implements AutoCloseable {

    /** A tenant and a developer key of it. */
    record Tenant(String id, String keyId, String apiKey) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    final EmbeddedKafka kafka;
    final EmbeddedRegistry registry;
    final String adminKey = AdminKeyVerifier.newAdminKey();
    private final Map<String, IngestService> ingestByName = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private BenchStack(EmbeddedKafka kafka, EmbeddedRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    static BenchStack start() {
        EmbeddedKafka kafka = EmbeddedKafka.create().start();
        EmbeddedRegistry registry;
        try {
            registry = EmbeddedRegistry.start();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        BenchStack stack = new BenchStack(kafka, registry);
        try (Admin admin = stack.admin()) {
            TopicManifest.load(Map.of()).apply(admin);
        }
        return stack;
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    /** Creates a topic like usage.events.v1 (6 partitions, same configs) for the raw producer. */
    void createTopicLikeUsageEvents(String name) throws Exception {
        var spec = TopicManifest.load(Map.of()).topics().stream()
                .filter(t -> t.name().equals("usage.events.v1")).findFirst().orElseThrow();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, spec.partitions(), (short) 1).configs(spec.configs())))
                    .all().get();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!allPartitionsLed(admin, name)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Topic " + name + " has partitions without a leader after 10 s");
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean allPartitionsLed(Admin admin, String topic) throws InterruptedException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (java.util.concurrent.ExecutionException e) {
            return false; // not known to the broker's metadata yet
        }
    }

    /**
     * The ingest instance {@code name} with {@code INGEST_LINGER_MS=lingerMs} and
     * {@code INGEST_SMALL_LINGER_MS=smallLingerMs}, started on first use; its base URL.
     */
    String ingest(String name, int lingerMs, int smallLingerMs) {
        IngestService service = ingestByName.computeIfAbsent(name + "/" + lingerMs + "/" + smallLingerMs,
                key -> new IngestService(ingestConfig(lingerMs, smallLingerMs), Clock.systemUTC()).start());
        return "http://127.0.0.1:" + service.port();
    }

    /**
     * The configuration of an ingest instance on this stack with {@code INGEST_LINGER_MS=lingerMs} and
     * {@code INGEST_SMALL_LINGER_MS=smallLingerMs}: what {@link #ingest} starts, and what the Kafka floor's producer
     * copies its settings from.
     */
    IngestConfig ingestConfig(int lingerMs, int smallLingerMs) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        env.put("SCHEMA_REGISTRY_URL", registry.ccompatUrl());
        env.put("BUDGETGUARD_ADMIN_KEY_SHA256", AdminKeyVerifier.sha256Hex(adminKey));
        env.put("INGEST_PORT", "0");
        env.put("INGEST_LINGER_MS", String.valueOf(lingerMs));
        env.put("INGEST_SMALL_LINGER_MS", String.valueOf(smallLingerMs));
        // the benchmark measures the pipeline, not the per-tenant limits (their cost is still paid per request)
        env.put("INGEST_DEFAULT_EVENTS_PER_S", "10000000");
        env.put("INGEST_DEFAULT_REQUESTS_PER_S", "10000000");
        return IngestConfig.fromEnv(env);
    }

    /** Creates {@code count} tenants with a developer key each, through the admin API of {@code ingestUrl}. */
    List<Tenant> createTenants(String ingestUrl, String prefix, int count) throws IOException, InterruptedException {
        List<Tenant> tenants = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            admin(ingestUrl, "/admin/tenants", "{\"id\":\"" + id + "\",\"name\":\"Bench " + i + "\"}");
            JsonNode key = admin(ingestUrl, "/admin/tenant/" + id + "/apikeys", "{\"role\":\"developer\"}");
            tenants.add(new Tenant(id, key.path("key_id").asText(), key.path("api_key").asText()));
        }
        return tenants;
    }

    private JsonNode admin(String ingestUrl, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ingestUrl + path))
                .header("X-Admin-Key", adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    @Override
    public void close() {
        ingestByName.values().forEach(IngestService::close);
        registry.close();
        kafka.close();
    }
}
