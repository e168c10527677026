package io.budgetguard.ingest.testing;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestServer;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An {@link IngestServer} on a free loopback port over a {@code MockProducer}, an in-memory registry and a view the
 * test fills itself (already caught up), with a small HTTP client.
 */
public final class TestIngest implements AutoCloseable {

    public final String adminKey = TestSecrets.newAdminKey();
    public final ControlPlaneView view = new ControlPlaneView();
    public final ControlFixtures fixtures = new ControlFixtures(view);
    public final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    public final MockProducer<String, byte[]> producer;
    public final IngestServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestIngest(boolean autoComplete, boolean caughtUp, Clock clock, UnaryOperator<IngestConfig> configure) {
        producer = new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
        IngestConfig config = configure.apply(IngestConfig.of("unused:9092", "http://unused",
                AdminKeyVerifier.sha256Hex(adminKey)).withPort(0).withPublishTimeout(Duration.ofSeconds(1)));
        if (caughtUp) {
            view.markCaughtUp();
        }
        server = new IngestServer(config, clock, producer, registry, view, ControlFixtures.FAST_HASHER,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
    }

    /** Kafka acknowledges every send at once. */
    public static TestIngest start(Clock clock) {
        return new TestIngest(true, true, clock, UnaryOperator.identity());
    }

    /** Kafka acknowledges every send at once; {@code configure} changes the settings (limits, proxies…). */
    public static TestIngest start(Clock clock, UnaryOperator<IngestConfig> configure) {
        return new TestIngest(true, true, clock, configure);
    }

    /** A server whose control-plane view has not caught up yet. */
    public static TestIngest startLoading(Clock clock) {
        return new TestIngest(true, false, clock, UnaryOperator.identity());
    }

    /** Sends stay unacknowledged until the test completes or fails them. */
    public static TestIngest startWithManualAcks(Clock clock) {
        return new TestIngest(false, true, clock, UnaryOperator.identity());
    }

    public HttpResponse<String> send(String method, String path, String body, String... headers) {
        return sendWith(method, path, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body), headers);
    }

    /** A request whose body is raw bytes (not necessarily UTF-8). */
    public HttpResponse<String> sendBytes(String method, String path, byte[] body, String... headers) {
        return sendWith(method, path, HttpRequest.BodyPublishers.ofByteArray(body), headers);
    }

    private HttpResponse<String> sendWith(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body);
        if (headers.length > 0) {
            request.headers(headers);
        }
        TestSecrets.harvestHeaders(headers);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            TestSecrets.harvest(response.body());
            return response;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An admin call with the right {@code X-Admin-Key} and a JSON body (when not null). */
    public HttpResponse<String> admin(String method, String path, String body) {
        return body == null
                ? send(method, path, null, "X-Admin-Key", adminKey)
                : send(method, path, body, "X-Admin-Key", adminKey, "Content-Type", "application/json");
    }

    /** {@code POST /v1/usage} as {@code token}. */
    public HttpResponse<String> postUsage(String token, String body) {
        return send("POST", "/v1/usage", body, "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    /** The usage events sent to Kafka so far, decoded. */
    public List<UsageEvent> publishedUsage() {
        var serde = Topics.USAGE_EVENTS.valueSerde(registry);
        return producer.history().stream()
                .filter(r -> r.topic().equals(Topics.USAGE_EVENTS.name()))
                .map(r -> serde.deserialize(r.topic(), r.value()))
                .toList();
    }

    @Override
    public void close() {
        server.closeImmediately();
    }
}
