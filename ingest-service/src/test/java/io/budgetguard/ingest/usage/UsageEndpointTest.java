package io.budgetguard.ingest.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.json.Json;
import io.budgetguard.ingest.testing.TestIngest;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.topics.Topics;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UsageEndpointTest {

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00.987654Z");
    private static final String EVENT = """
            {"event_id":"evt-1","occurred_at":"2025-06-15T11:59:00.123456Z","provider":"openai","model":"gpt-4o",
             "input_tokens":1000,"output_tokens":200}""";

    private TestIngest ingest = TestIngest.start(Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void stop() {
        ingest.close();
    }

    private PresentedKey developerKey() {
        ingest.fixtures.tenant("acme", "active");
        return ingest.fixtures.key("acme", Role.DEVELOPER);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    @Test
    void shouldAcceptASingleEventAndPublishItForTheKeysTenant() throws Exception {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(), EVENT);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response).path("accepted").asInt()).isEqualTo(1);
        assertThat(response.headers().firstValue("X-Budget-Status")).contains("ok");
        assertThat(ingest.producer.history()).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo("usage.events.v1");
            assertThat(record.key()).isEqualTo("acme");
        });
        UsageEvent event = ingest.publishedUsage().get(0);
        assertThat(event.getTenantId()).isEqualTo("acme");
        assertThat(event.getApiKeyId()).isEqualTo(key.keyId());
        assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2025-06-15T11:59:00.123Z"));
        assertThat(event.getReceivedAt()).isEqualTo(Instant.parse("2025-06-15T12:00:00.987Z"));
    }

    @Test
    void shouldAcceptABatch() throws Exception {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(),
                "{\"events\":[" + EVENT + "," + EVENT.replace("evt-1", "evt-2") + "]}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response).path("accepted").asInt()).isEqualTo(2);
        assertThat(ingest.publishedUsage()).extracting(UsageEvent::getEventId).containsExactly("evt-1", "evt-2");
    }

    @Test
    void shouldReportTheTenantsBudgetStatusInTheHeader() {
        PresentedKey key = developerKey();
        ingest.view.apply(Topics.BUDGET_STATUS.name(), "acme", new BudgetStatus("acme", "warning", NOW, List.of()), 0, 1);

        HttpResponse<String> response = ingest.postUsage(key.token(), EVENT);

        assertThat(response.headers().firstValue("X-Budget-Status")).contains("warning");
    }

    @Test
    void shouldRefuseAViewerKeyWith403() {
        ingest.fixtures.tenant("acme", "active");
        PresentedKey viewer = ingest.fixtures.key("acme", Role.VIEWER);

        HttpResponse<String> response = ingest.postUsage(viewer.token(), EVENT);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(ingest.producer.history()).isEmpty();
    }

    @Test
    void shouldRefuseAMissingKeyWith401AndAChallenge() {
        HttpResponse<String> response = ingest.send("POST", "/v1/usage", EVENT, "Content-Type", "application/json");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
    }

    @Test
    void shouldRefuseARevokedKeyWith401() {
        PresentedKey key = developerKey();
        assertThat(ingest.postUsage(key.token(), EVENT).statusCode()).isEqualTo(202);

        ingest.fixtures.revoke(key);

        assertThat(ingest.postUsage(key.token(), EVENT).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseOtherContentTypesWith415() {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.send("POST", "/v1/usage", EVENT,
                "Authorization", "Bearer " + key.token(), "Content-Type", "text/plain");

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void shouldAcceptJsonWithACharset() {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.send("POST", "/v1/usage", EVENT,
                "Authorization", "Bearer " + key.token(), "Content-Type", "application/json; charset=utf-8");

        assertThat(response.statusCode()).isEqualTo(202);
    }

    @Test
    void shouldRefuseABodyOverOneMebibyteWith413() {
        PresentedKey key = developerKey();
        String huge = "{\"events\":[" + EVENT + "],\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}";

        assertThat(ingest.postUsage(key.token(), huge).statusCode()).isEqualTo(413);
    }

    @Test
    void shouldAnswer400ForMalformedJson() {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(), "{\"event_id\":");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void shouldAnswer422NamingEveryInvalidEventAndPublishNothing() throws Exception {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(), "{\"events\":[" + EVENT + ","
                + EVENT.replace("\"openai\"", "\"Open AI\"") + "," + EVENT.replace("\"input_tokens\":1000", "\"input_tokens\":-3")
                + "]}");

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode errors = json(response).path("errors");
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).path("index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).path("field").asText()).isEqualTo("provider");
        assertThat(errors.get(1).path("index").asInt()).isEqualTo(2);
        assertThat(errors.get(1).path("field").asText()).isEqualTo("input_tokens");
        assertThat(ingest.producer.history()).isEmpty();
    }

    @Test
    void shouldNeverTakeTheTenantFromTheBody() {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(), EVENT.replace("}", ",\"tenant_id\":\"other\"}"));

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(ingest.producer.history()).isEmpty();
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenKafkaRefusesASend() {
        ingest.close();
        ingest = TestIngest.startWithManualAcks(Clock.fixed(NOW, ZoneOffset.UTC));
        PresentedKey key = developerKey();
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(
                () -> ingest.postUsage(key.token(), EVENT));
        org.awaitility.Awaitility.await().until(() -> ingest.producer.history().size() == 1);

        ingest.producer.errorNext(new TimeoutException("broker gone"));

        assertThat(response.join().statusCode()).isEqualTo(503);
        assertThat(response.join().headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void shouldAnswer503WhenAcknowledgementsMissTheDeadline() {
        ingest.close();
        ingest = TestIngest.startWithManualAcks(Clock.fixed(NOW, ZoneOffset.UTC));
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(), "{\"events\":[" + EVENT + "," + EVENT + "]}");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void shouldAnswer503WhileTheViewIsLoading() {
        ingest.close();
        ingest = TestIngest.startLoading(Clock.fixed(NOW, ZoneOffset.UTC));
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(), EVENT);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(ingest.send("GET", "/health/ready", null).statusCode()).isEqualTo(503);
    }

    @Test
    void shouldFinishARequestInFlightWhenClosedGracefully() {
        ingest.close();
        ingest = TestIngest.startWithManualAcks(Clock.fixed(NOW, ZoneOffset.UTC));
        PresentedKey key = developerKey();
        CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(
                () -> ingest.postUsage(key.token(), EVENT));
        org.awaitility.Awaitility.await().until(() -> ingest.producer.history().size() == 1);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(ingest.server::close);
        org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(200)).until(() -> !closing.isDone());
        ingest.producer.completeNext();

        assertThat(response.join().statusCode()).isEqualTo(202);
        closing.join();
    }

    @Test
    void shouldServeTheBudgetStatusToAViewer() throws Exception {
        ingest.fixtures.tenant("acme", "active");
        PresentedKey viewer = ingest.fixtures.key("acme", Role.VIEWER);

        HttpResponse<String> response = ingest.send("GET", "/v1/budgets/status", null, "Authorization", "Bearer " + viewer.token());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("tenant_id").asText()).isEqualTo("acme");
        assertThat(json(response).path("status").asText()).isEqualTo("ok");
        assertThat(json(response).path("budgets")).isEmpty();
    }

    @Test
    void shouldAnswerTheSameWhetherServedAheadOfJavalinOrThroughIt() throws Exception {
        PresentedKey key = developerKey();

        // POST /v1/usage is served by Jetty directly (DirectRoute); with a trailing slash it goes through Javalin
        HttpResponse<String> direct = ingest.postUsage(key.token(), EVENT);
        HttpResponse<String> javalin = ingest.send("POST", "/v1/usage/", EVENT.replace("evt-1", "evt-2"),
                "Authorization", "Bearer " + key.token(), "Content-Type", "application/json");

        for (HttpResponse<String> response : List.of(direct, javalin)) {
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.body()).isEqualTo("{\"accepted\":1}");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(response.headers().firstValue("X-Budget-Status")).contains("ok");
            for (String header : List.of("X-Content-Type-Options", "X-Frame-Options", "Cache-Control",
                    "Referrer-Policy", "Content-Security-Policy")) {
                assertThat(response.headers().firstValue(header)).as(header).isPresent();
            }
        }
        assertThat(direct.headers().firstValue("Content-Type")).isEqualTo(javalin.headers().firstValue("Content-Type"));
        assertThat(ingest.publishedUsage()).extracting(UsageEvent::getEventId).containsExactly("evt-1", "evt-2");
    }

    @Test
    void shouldAnswerProblemsWithSecurityHeadersOnTheDirectRoute() throws Exception {
        HttpResponse<String> response = ingest.send("POST", "/v1/usage", EVENT, "Content-Type", "application/json");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(response.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(json(response).path("status").asInt()).isEqualTo(401);
    }

    @Test
    void shouldSetSecurityHeaders() {
        PresentedKey key = developerKey();

        HttpResponse<String> response = ingest.postUsage(key.token(), EVENT);

        assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    }
}
