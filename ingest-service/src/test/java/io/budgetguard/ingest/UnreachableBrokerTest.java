package io.budgetguard.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.testing.ControlFixtures;
import io.budgetguard.ingest.testing.Http;
import io.budgetguard.ingest.testing.TestSecrets;
import io.budgetguard.ingest.usage.UsagePublisher;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.serde.SchemaBootstrap;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With no broker to talk to, ingest answers 503 within a few seconds and never 202. */
@ExtendWith(SharedStack.class)
class UnreachableBrokerTest {

    private static final String EVENT_TEMPLATE = "{\"event_id\":\"e1\",\"occurred_at\":\"%s\",\"provider\":\"openai\","
            + "\"model\":\"gpt-4o\",\"input_tokens\":1,\"output_tokens\":1}";

    private static String closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Test
    void shouldAnswer503QuicklyWhenTheBrokerIsUnreachableWhileServing(LocalStack stack) throws IOException {
        String adminKey = TestSecrets.newAdminKey();
        IngestConfig config = IngestConfig.of(closedPort(), stack.schemaRegistryUrl(), AdminKeyVerifier.sha256Hex(adminKey))
                .withPort(0);
        HttpSchemaRegistry registry = new HttpSchemaRegistry(stack.schemaRegistryUrl());
        SchemaBootstrap.registerAll(registry);
        ControlPlaneView view = new ControlPlaneView();
        ControlFixtures fixtures = new ControlFixtures(view);
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        view.markCaughtUp();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(UsagePublisher.producerConfig(
                     config.kafkaBootstrap(), config.lingerMs(), config.publishTimeout()));
             IngestServer server = new IngestServer(config, Clock.systemUTC(), producer, registry, view,
                     ControlFixtures.FAST_HASHER, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start()) {
            Http http = new Http("http://127.0.0.1:" + server.port());

            long started = System.nanoTime();
            HttpResponse<String> response = http.postUsage(key.token(), EVENT_TEMPLATE.formatted(Instant.now()));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(took).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldStartUnreadyAndAnswer503WhenTheBrokerIsUnreachableAtStart(LocalStack stack) throws IOException {
        String adminKey = TestSecrets.newAdminKey();
        IngestConfig config = IngestConfig.of(closedPort(), stack.schemaRegistryUrl(), AdminKeyVerifier.sha256Hex(adminKey))
                .withPort(0).withStartupTimeout(Duration.ofSeconds(1));
        try (IngestService ingest = new IngestService(config, Clock.systemUTC()).start()) {
            Http http = new Http("http://127.0.0.1:" + ingest.port());

            long started = System.nanoTime();
            HttpResponse<String> usage = http.postUsage("bg_k0123456789abcde." + "A".repeat(43),
                    EVENT_TEMPLATE.formatted(Instant.now()));
            HttpResponse<String> adminCall = http.send("GET", "/admin/tenants", null, "X-Admin-Key", adminKey);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(ingest.isReady()).isFalse();
            assertThat(http.send("GET", "/health/ready", null).statusCode()).isEqualTo(503);
            assertThat(usage.statusCode()).isEqualTo(503);
            assertThat(adminCall.statusCode()).isEqualTo(503);
            assertThat(took).isLessThan(Duration.ofSeconds(5));
        }
    }
}
