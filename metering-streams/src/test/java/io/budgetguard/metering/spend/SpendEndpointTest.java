package io.budgetguard.metering.spend;

import static io.budgetguard.metering.testing.Fixtures.apiKey;
import static io.budgetguard.metering.testing.Fixtures.budget;
import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.tenant;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.common.http.HttpServers;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.testing.LoopbackHttp;
import io.budgetguard.metering.testing.MeteringDriver;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/spend} on a real HTTP server over the stores of a {@link MeteringDriver}. Now is 2026-03-10 12:00 UTC;
 * the test model costs $1 per million input tokens (N input tokens cost N µ$).
 */
class SpendEndpointTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final PresentedKey acmeKey = ApiKeys.generate();
    private final PresentedKey otherKey = ApiKeys.generate();
    private MeteringDriver metering;
    private Javalin server;
    private volatile TenantState location;
    private volatile boolean loaded = true;

    @BeforeEach
    void start() {
        metering = new MeteringDriver().price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")))
                .tenant(tenant("acme", "active"))
                .tenant(tenant("other", "active"))
                .apiKey(apiKey(acmeKey, "acme", Role.VIEWER, null))
                .apiKey(apiKey(otherKey, "other", Role.DEVELOPER, null))
                .budget(monthlyBudget("acme", "monthly", "1"))
                .budget(budget("acme", "daily", "0.5", "daily", List.of(80, 100), null, null))
                .budget(monthlyBudget("other", "secret-budget", "1"));
        location = new TenantState.Local(metering.spendReader());
        // as in production (SpendRoutes), with the default limits, a cheap bcrypt, and a clock that stands still so
        // that no failed-attempt token comes back during a test
        TenantAuthenticator authenticator = SpendRoutes.authenticator(metering.views(), new SecretHasher(4)::verify,
                AuthLimits.DEFAULTS, Clock.fixed(NOW, ZoneOffset.UTC));
        SpendEndpoint endpoint = new SpendEndpoint(authenticator, metering.views().budgets(), tenant -> location,
                new SpendForwarder("127.0.0.1:1", Duration.ofSeconds(2)), "127.0.0.1:1",
                Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(40), () -> loaded);
        server = HttpServers.create("127.0.0.1", 16_384, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true);
        server.get("/v1/spend", endpoint);
        server.start(0);
    }

    @AfterEach
    void stop() {
        server.stop();
        metering.close();
    }

    @Test
    void shouldAnswerEveryBudgetOfTheCallersTenantOnly() throws Exception {
        metering.send(event("acme", "e1", NOW.minusSeconds(60), 300_000))
                .send(event("other", "o1", NOW.minusSeconds(60), 900_000));

        HttpResponse<String> response = get("/v1/spend", acmeKey);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("tenant_id").asText()).isEqualTo("acme");
        assertThat(body.get("budgets").findValuesAsText("budget_id")).containsExactly("daily", "monthly");
        assertThat(body.get("budgets").findValuesAsText("spend_usd")).containsExactly("0.3", "0.3");
        assertThat(response.body()).doesNotContain("secret-budget").doesNotContain("other");
    }

    @Test
    void shouldAnswerOneBudgetWithLimitThresholdsStatusCountAndTokens() throws Exception {
        metering.send(event("acme", "e1", NOW.minusSeconds(60), 400_000))
                .send(event("acme", "e2", NOW.minusSeconds(30), 450_000));

        HttpResponse<String> response = get("/v1/spend?budget_id=monthly", acmeKey);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(Json.MAPPER.readValue(response.body(), Map.class)).isEqualTo(Map.ofEntries(
                Map.entry("tenant_id", "acme"),
                Map.entry("budget_id", "monthly"),
                Map.entry("period", "monthly"),
                Map.entry("period_start", "2026-03-01T00:00:00Z"),
                Map.entry("period_end", "2026-04-01T00:00:00Z"),
                Map.entry("limit_usd", "1"),
                Map.entry("spend_usd", "0.85"),
                Map.entry("status", "warning"),
                Map.entry("thresholds", List.of(50, 80, 100)),
                Map.entry("thresholds_crossed", List.of(50, 80)),
                Map.entry("thresholds_alerted", List.of(50, 80)),
                Map.entry("event_count", 2),
                Map.entry("input_tokens", 850_000),
                Map.entry("cached_input_tokens", 0),
                Map.entry("cache_write_tokens", 0),
                Map.entry("output_tokens", 0)));
    }

    @Test
    void shouldAnswerThePeriodContainingTheGivenDayOrStartingAtTheGivenInstant() throws Exception {
        metering.send(event("acme", "feb", Instant.parse("2026-02-20T10:00:00Z"), 200_000))
                .send(event("acme", "mar", NOW.minusSeconds(60), 300_000));

        JsonNode byDay = Json.MAPPER.readTree(get("/v1/spend?budget_id=monthly&period=2026-02-14", acmeKey).body());
        JsonNode byStart = Json.MAPPER.readTree(
                get("/v1/spend?budget_id=monthly&period=2026-02-01T00:00:00Z", acmeKey).body());

        assertThat(byDay.get("period_start").asText()).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(byDay.get("spend_usd").asText()).isEqualTo("0.2");
        assertThat(byStart).isEqualTo(byDay);
    }

    @Test
    void shouldAnswerNotFoundForABudgetOfAnotherTenant() throws Exception {
        metering.send(event("other", "o1", NOW.minusSeconds(60), 900_000));

        HttpResponse<String> response = get("/v1/spend?budget_id=secret-budget", acmeKey);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).doesNotContain("0.9").doesNotContain("spend_usd");
    }

    @Test
    void shouldRequireAnApiKey() throws Exception {
        HttpResponse<String> response = CLIENT.send(request("/v1/spend").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"budgetguard\"");
    }

    @Test
    void shouldRefuseAWrongSecretWithoutEchoingIt() throws Exception {
        PresentedKey forged = new PresentedKey(acmeKey.keyId(), ApiKeys.generate().secret());

        HttpResponse<String> response = get("/v1/spend", forged);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).doesNotContain(forged.secret());
    }

    @Test
    void shouldRefuseARevokedKey() throws Exception {
        metering.apiKey(apiKey(acmeKey, "acme", Role.VIEWER, NOW.minusSeconds(5)));

        assertThat(get("/v1/spend", acmeKey).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAcceptAKeyInItsRotationOverlapUntilItsRevocationTime() throws Exception {
        metering.apiKey(apiKey(acmeKey, "acme", Role.VIEWER, NOW.plusSeconds(60)));

        assertThat(get("/v1/spend", acmeKey).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseAKeyOfASuspendedTenant() throws Exception {
        metering.tenant(tenant("acme", "suspended"));

        assertThat(get("/v1/spend", acmeKey).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRejectAPeriodThatIsNotADate() throws Exception {
        HttpResponse<String> response = get("/v1/spend?period=last-month", acmeKey);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("period must be an ISO date");
    }

    @Test
    void shouldAnswerNotFoundForAPeriodNoLongerKeptLive() throws Exception {
        HttpResponse<String> response = get("/v1/spend?period=2026-01-10", acmeKey);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("ledger");
    }

    @Test
    void shouldAskToRetryWhileTheTenantsStateIsUnavailable() throws Exception {
        location = new TenantState.Unavailable("the tenant's partition is being reassigned");

        HttpResponse<String> response = get("/v1/spend", acmeKey);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void shouldAskToRetryWhileStarting() throws Exception {
        loaded = false;

        assertThat(get("/v1/spend", acmeKey).statusCode()).isEqualTo(503);
    }

    @Test
    void shouldForwardToTheOwnerWithTheCallersKeyAndRelayItsAnswer() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        Javalin owner = Javalin.create().get("/v1/spend", ctx -> {
            seen.put("authorization", ctx.header("Authorization"));
            seen.put("forwarded", ctx.header(SpendForwarder.FORWARDED_BY));
            seen.put("query", ctx.queryString());
            ctx.header(SpendForwarder.SERVED_BY, "owner:1").status(200).json(Map.of("from", "owner"));
        }).start("127.0.0.1", 0);
        try {
            location = new TenantState.Remote("http://127.0.0.1:" + owner.port());

            HttpResponse<String> response = get("/v1/spend?budget_id=monthly&period=2026-03-01", acmeKey);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"from\":\"owner\"}");
            assertThat(response.headers().firstValue(SpendForwarder.SERVED_BY)).hasValue("owner:1");
            assertThat(seen).containsEntry("authorization", "Bearer " + acmeKey.token())
                    .containsEntry("forwarded", "127.0.0.1:1")
                    .containsEntry("query", "budget_id=monthly&period=2026-03-01");
        } finally {
            owner.stop();
        }
    }

    @Test
    void shouldNotForwardARequestThatWasAlreadyForwarded() throws Exception {
        location = new TenantState.Remote("http://127.0.0.1:1");

        HttpResponse<String> response = CLIENT.send(request("/v1/spend")
                .header("Authorization", "Bearer " + acmeKey.token())
                .header(SpendForwarder.FORWARDED_BY, "elsewhere:1").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
    }

    @Test
    void shouldAskToRetryWhenTheOwnerDoesNotAnswer() throws Exception {
        location = new TenantState.Remote("http://127.0.0.1:1");

        assertThat(get("/v1/spend", acmeKey).statusCode()).isEqualTo(503);
    }

    private HttpResponse<String> get(String path, PresentedKey key) throws Exception {
        return CLIENT.send(request(path).header("Authorization", "Bearer " + key.token()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
    }

    private LoopbackHttp.Response getFrom(String address, PresentedKey key) {
        return LoopbackHttp.get(address, server.port(), "/v1/spend", "Bearer " + key.token());
    }

    private static PresentedKey wrongSecretOf(PresentedKey key) {
        return new PresentedKey(key.keyId(), ApiKeys.generate().secret());
    }

    /**
     * The default limits (STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS 10, …_PER_KEY 30), the clock standing still: a flood
     * of random secrets from one address gets exactly 10 401s, then 429 with Retry-After (a token every 6 s); the same
     * key's right secret is still verified from another address, and once verified it is served even to the flooding
     * address. Random key ids from one address are throttled the same way.
     */
    @Test
    void shouldAnswerAFloodOfRandomSecretsFromOneAddressWith429WithoutStarvingAValidKeyFromAnother() {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            LoopbackHttp.Response response = getFrom("127.0.0.2", wrongSecretOf(acmeKey));
            statuses.merge(response.status(), 1, Integer::sum);
            if (response.status() == 429) {
                assertThat(response.header("Retry-After")).isEqualTo("6");
                assertThat(response.body()).contains("client address").doesNotContain("monthly");
            }
        }
        assertThat(statuses).isEqualTo(Map.of(401, 10, 429, 20));

        assertThat(getFrom("127.0.0.3", acmeKey).status()).isEqualTo(200);
        assertThat(getFrom("127.0.0.2", acmeKey).status()).isEqualTo(200);
        assertThat(getFrom("127.0.0.2", wrongSecretOf(acmeKey)).status()).isEqualTo(429);

        Map<Integer, Integer> randomIds = new TreeMap<>();
        for (int i = 0; i < 15; i++) {
            randomIds.merge(getFrom("127.0.0.4", ApiKeys.generate()).status(), 1, Integer::sum);
        }
        assertThat(randomIds).isEqualTo(Map.of(401, 10, 429, 5));
    }

    /**
     * Wrong secrets for one key id from many addresses, each below its own limit: after 30 (the per-key limit) the key
     * id answers 429 naming it, from any address, while the holder's verified secret keeps working.
     */
    @Test
    void shouldLimitFailedAttemptsPerKeyIdAcrossAddressesWithoutLockingOutItsVerifiedSecret() {
        assertThat(getFrom("127.0.1.100", acmeKey).status()).isEqualTo(200);
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int address = 1; address <= 8; address++) {
            for (int i = 0; i < 5; i++) {
                statuses.merge(getFrom("127.0.1." + address, wrongSecretOf(acmeKey)).status(), 1, Integer::sum);
            }
        }
        assertThat(statuses).isEqualTo(Map.of(401, 30, 429, 10));

        LoopbackHttp.Response throttled = getFrom("127.0.1.50", wrongSecretOf(acmeKey));
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.body()).contains("API key " + acmeKey.keyId());
        assertThat(throttled.header("Retry-After")).isEqualTo("2");
        assertThat(getFrom("127.0.1.50", acmeKey).status()).isEqualTo(200);
        // another key id is not affected from there
        assertThat(getFrom("127.0.1.50", wrongSecretOf(otherKey)).status()).isEqualTo(401);
    }
}
