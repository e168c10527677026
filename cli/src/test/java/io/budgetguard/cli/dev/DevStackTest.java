package io.budgetguard.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestService;
import io.budgetguard.ledger.sink.LedgerSinkConfig;
import io.budgetguard.metering.MeteringConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code budgetguard dev} and {@code dev --infra-only}, each on its own local stack at a shifted set of ports. */
class DevStackTest {

    private static final List<String> DOCUMENTED_KEYS = List.of(
            "INGEST_URL", "STREAMS_URL", "LEDGER_URL", "KAFKA_BOOTSTRAP", "SCHEMA_REGISTRY_URL", "DATABASE_URL",
            "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "BUDGETGUARD_ADMIN_KEY", "DEMO_API_KEY");

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path home;

    @Test
    void devRunsTheWholeSystemSeedsTheDemoTenantAndWritesDevEnv() throws Exception {
        int offset = freePortOffset();
        StringWriter printed = new StringWriter();
        Map<String, String> env;
        try (DevStack dev = DevStack.start(new DevStack.Options(home, offset, true), new PrintWriter(printed))) {
            env = readEnvFile(home.resolve("dev.env"));
            assertThat(env).containsKeys(DOCUMENTED_KEYS.toArray(String[]::new));
            assertThat(env.get("INGEST_URL")).isEqualTo("http://127.0.0.1:" + (8080 + offset));
            assertThat(env.get("STREAMS_URL")).isEqualTo("http://127.0.0.1:" + (8081 + offset));
            assertThat(env.get("LEDGER_URL")).isEqualTo("http://127.0.0.1:" + (8082 + offset));
            assertThat(env.get("KAFKA_BOOTSTRAP")).endsWith(":" + (9092 + offset));
            assertThat(env.get("SCHEMA_REGISTRY_URL")).isEqualTo("http://127.0.0.1:" + (8085 + offset) + "/apis/ccompat/v7");
            assertThat(env.get("PGPORT")).isEqualTo(String.valueOf(5433 + offset));
            assertThat(env.get("DATABASE_URL")).startsWith("jdbc:postgresql://");
            assertThat(printed.toString()).contains("INGEST_URL=" + env.get("INGEST_URL")).contains("DEMO_API_KEY=");

            assertThat(postDemoEvent(env).statusCode()).isEqualTo(202);
            for (String service : List.of("INGEST_URL", "STREAMS_URL", "LEDGER_URL")) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(get(env.get(service) + "/health/ready").statusCode()).as(service).isEqualTo(200));
            }
        }
        // stopped cleanly: every port is free again
        for (int port : List.of(8080, 8081, 8082, 9092, 8085, 5433)) {
            assertThat(isFree(port + offset)).as("port %d released", port + offset).isTrue();
        }
    }

    @Test
    void infraOnlyLeavesTheServicesToSeparateProcessesConfiguredFromDevEnv() throws Exception {
        int offset = freePortOffset();
        try (DevStack dev = DevStack.start(new DevStack.Options(home, offset, false), new PrintWriter(new StringWriter()))) {
            Map<String, String> env = readEnvFile(home.resolve("dev.env"));
            assertThat(env).containsKeys(DOCUMENTED_KEYS.toArray(String[]::new));
            assertThatThrownBy(() -> get(env.get("INGEST_URL") + "/health/live")).isInstanceOf(ConnectException.class);

            // what `set -a; . .budgetguard/dev.env; set +a; budgetguard ingest|streams|sink` would read
            assertThat(MeteringConfig.fromEnv(env).kafkaBootstrap()).isEqualTo(env.get("KAFKA_BOOTSTRAP"));
            assertThat(LedgerSinkConfig.fromEnv(env)).isNotNull();
            try (IngestService ingest = new IngestService(IngestConfig.fromEnv(env), Clock.systemUTC())) {
                ingest.start();
                assertThat(ingest.port()).isEqualTo(8080 + offset);
                assertThat(postDemoEvent(env).statusCode()).as("the demo tenant and key were seeded").isEqualTo(202);
            }
        }
    }

    private HttpResponse<String> postDemoEvent(Map<String, String> env) throws Exception {
        String body = """
                {"event_id":"dev-1","occurred_at":"%s","provider":"openai","model":"gpt-4o","input_tokens":1000,"output_tokens":100}
                """.formatted(Instant.now());
        return http.send(HttpRequest.newBuilder(URI.create(env.get("INGEST_URL") + "/v1/usage"))
                .header("Authorization", "Bearer " + env.get("DEMO_API_KEY"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Parses the file as a shell would for these values: {@code KEY=value} or {@code KEY='value'}. */
    static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String value = line.substring(eq + 1);
            if (value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1).replace("'\\''", "'");
            }
            values.put(line.substring(0, eq), value);
        }
        return values;
    }

    /** An offset at which all six dev ports are free. */
    private static int freePortOffset() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int offset = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
            if (List.of(8080, 8081, 8082, 9092, 8085, 5433).stream().allMatch(p -> isFree(p + offset))) {
                return offset;
            }
        }
        throw new IllegalStateException("No free port offset found");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
