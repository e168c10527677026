package io.budgetguard.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.testing.Http;
import io.budgetguard.ingest.testing.TestIngest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rate limits as a gateway meets them: a stopped clock, so that no token comes back during a test. */
class RateLimitEndpointTest {

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    private final TestIngest ingest = TestIngest.start(Clock.fixed(NOW, ZoneOffset.UTC),
            config -> config.withLimits(config.limits().withDefaultEventsPerS(50).withDefaultRequestsPerS(20)));

    @AfterEach
    void stop() {
        ingest.close();
    }

    private static String event(String id) {
        return "{\"event_id\":\"" + id + "\",\"occurred_at\":\"2025-06-15T11:59:00Z\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":2}";
    }

    private static String batch(String prefix, int size) {
        return IntStream.range(0, size).mapToObj(i -> event(prefix + i))
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
    }

    @Test
    void shouldAnswer429WithRetryAfterOnceTheTenantsEventsAreSpent() {
        ingest.fixtures.tenant("acme", "active", 5);
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        assertThat(ingest.postUsage(key.token(), batch("a", 5)).statusCode()).isEqualTo(202);

        HttpResponse<String> refused = ingest.postUsage(key.token(), event("b"));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.body()).contains("5 events/s");
        assertThat(ingest.publishedUsage()).hasSize(5);
    }

    @Test
    void shouldAnswer413ForABatchLargerThanTheTenantsLimit() {
        ingest.fixtures.tenant("acme", "active", 5);
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);

        HttpResponse<String> refused = ingest.postUsage(key.token(), batch("a", 6));

        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body()).contains("split it into batches of at most 5 events");
        assertThat(ingest.producer.history()).isEmpty();
    }

    @Test
    void shouldAnswer429OnceTheTenantsRequestsAreSpentOnAnyTenantRoute() {
        ingest.fixtures.tenant("acme", "active");
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        for (int i = 0; i < 10; i++) {
            assertThat(ingest.postUsage(key.token(), event("e" + i)).statusCode()).isEqualTo(202);
            assertThat(ingest.send("GET", "/v1/budgets/status", null, "Authorization", "Bearer " + key.token())
                    .statusCode()).isEqualTo(200);
        }

        HttpResponse<String> refused = ingest.postUsage(key.token(), event("late"));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("20 requests/s");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void shouldApplyALimitRaisedThroughTheAdminApiToTheNextRequest() {
        // through the admin API only: the fixtures' offsets would outrank the MockProducer's
        assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\","
                + "\"rate_limit_events_per_s\":2}").statusCode()).isEqualTo(201);
        String token = Http.json(ingest.admin("POST", "/admin/tenant/acme/apikeys", "{}")).path("api_key").asText();
        assertThat(ingest.postUsage(token, batch("a", 2)).statusCode()).isEqualTo(202);
        assertThat(ingest.postUsage(token, event("b")).statusCode()).isEqualTo(429);

        assertThat(ingest.admin("PATCH", "/admin/tenants/acme", "{\"rate_limit_events_per_s\":40}").statusCode())
                .isEqualTo(200);

        assertThat(ingest.postUsage(token, batch("c", 30)).statusCode()).isEqualTo(202);
    }

    @Test
    void shouldApplyTheTenantsOwnRequestsLimitSetThroughTheAdminApi() {
        assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\","
                + "\"rate_limit_requests_per_s\":3}").statusCode()).isEqualTo(201);
        assertThat(Http.json(ingest.admin("GET", "/admin/tenants/acme", null)).path("rate_limit_requests_per_s").asInt())
                .isEqualTo(3);
        String token = Http.json(ingest.admin("POST", "/admin/tenant/acme/apikeys", "{}")).path("api_key").asText();
        for (int i = 0; i < 3; i++) {
            assertThat(ingest.postUsage(token, event("a" + i)).statusCode()).isEqualTo(202);
        }

        HttpResponse<String> refused = ingest.send("GET", "/v1/budgets/status", null, "Authorization", "Bearer " + token);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.body()).contains("3 requests/s", "rate_limit_requests_per_s");

        // raised: usable at once; then removed (null): the platform default (20) again
        assertThat(ingest.admin("PATCH", "/admin/tenants/acme", "{\"rate_limit_requests_per_s\":6}").statusCode())
                .isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(ingest.postUsage(token, event("b" + i)).statusCode()).isEqualTo(202);
        }
        assertThat(ingest.postUsage(token, event("b3")).statusCode()).isEqualTo(429);
        HttpResponse<String> cleared = ingest.admin("PATCH", "/admin/tenants/acme", "{\"rate_limit_requests_per_s\":null}");
        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(Http.json(cleared).path("rate_limit_requests_per_s").isNull()).isTrue();
        for (int i = 0; i < 14; i++) {
            assertThat(ingest.postUsage(token, event("c" + i)).statusCode()).as("request %d", i).isEqualTo(202);
        }
        assertThat(ingest.postUsage(token, event("c14")).statusCode()).isEqualTo(429);
    }

    @Test
    void shouldRefuseAnInvalidRequestsLimit() {
        HttpResponse<String> refused = ingest.admin("POST", "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\","
                + "\"rate_limit_requests_per_s\":0}");

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("rate_limit_requests_per_s");
    }

    @Test
    void shouldCostNoEventTokensForAnInvalidBatch() {
        ingest.fixtures.tenant("acme", "active", 3);
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        assertThat(ingest.postUsage(key.token(), "{\"events\":[{\"event_id\":\"x\"}]}").statusCode()).isEqualTo(422);

        assertThat(ingest.postUsage(key.token(), batch("a", 3)).statusCode()).isEqualTo(202);
    }
}
