package io.budgetguard.ingest.selfservice;

import static io.budgetguard.ingest.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.testing.TestIngest;
import io.budgetguard.schemas.control.Budget;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every tenant route × every role × the caller's own ids or another tenant's, in the path and in the body: the
 * expected status, the other tenant left as it was, and none of its ids or data in any answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SelfServiceMatrixTest {

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    private static final String RIVAL_LIMIT = "777.125";
    private TestIngest ingest;
    private int worlds;

    /** The caller's tenant with a key of every role, and a rival tenant whose data must stay out of reach. */
    record World(String tenant, Map<Role, String> tokens, String victimKeyId, String ownerKeyId, String rival,
            String rivalKeyId, String rivalBudgetId) {}

    /** One request of the matrix, built for a world, and the status each role must get. */
    record Case(String name, Function<World, Request> request, int owner, int admin, int developer, int viewer) {
        int expected(Role role) {
            return switch (role) {
                case OWNER -> owner;
                case ADMIN -> admin;
                case DEVELOPER -> developer;
                case VIEWER -> viewer;
            };
        }

        @Override
        public String toString() {
            return name;
        }
    }

    record Request(String method, String path, String body) {}

    private static final List<Case> CASES = List.of(
            new Case("POST /v1/keys (default role)", w -> new Request("POST", "/v1/keys", "{}"), 201, 201, 403, 403),
            new Case("POST /v1/keys role owner", w -> new Request("POST", "/v1/keys", "{\"role\":\"owner\"}"),
                    201, 403, 403, 403),
            new Case("POST /v1/keys role admin", w -> new Request("POST", "/v1/keys", "{\"role\":\"admin\"}"),
                    201, 201, 403, 403),
            new Case("POST /v1/keys with a tenant in the body",
                    w -> new Request("POST", "/v1/keys", "{\"tenant_id\":\"" + w.rival() + "\"}"), 422, 422, 403, 403),
            new Case("GET /v1/keys", w -> new Request("GET", "/v1/keys", null), 200, 200, 403, 403),
            new Case("DELETE /v1/keys/{own developer key}",
                    w -> new Request("DELETE", "/v1/keys/" + w.victimKeyId(), null), 200, 200, 403, 403),
            new Case("DELETE /v1/keys/{own owner key}",
                    w -> new Request("DELETE", "/v1/keys/" + w.ownerKeyId(), null), 200, 403, 403, 403),
            new Case("DELETE /v1/keys/{other tenant's key}",
                    w -> new Request("DELETE", "/v1/keys/" + w.rivalKeyId(), null), 404, 404, 403, 403),
            new Case("PUT /v1/budgets/{own id}",
                    w -> new Request("PUT", "/v1/budgets/fresh", "{\"limit_usd\":\"10\"}"), 201, 201, 403, 403),
            new Case("PUT /v1/budgets/{existing own id}",
                    w -> new Request("PUT", "/v1/budgets/main", "{\"limit_usd\":\"20\",\"period\":\"daily\"}"),
                    200, 200, 403, 403),
            new Case("PUT /v1/budgets/{other tenant's budget id}",
                    w -> new Request("PUT", "/v1/budgets/" + w.rivalBudgetId(), "{\"limit_usd\":\"1\"}"),
                    201, 201, 403, 403),
            new Case("PUT /v1/budgets with another tenant's key in the body",
                    w -> new Request("PUT", "/v1/budgets/narrow",
                            "{\"limit_usd\":\"5\",\"api_key_id\":\"" + w.rivalKeyId() + "\"}"), 422, 422, 403, 403),
            new Case("DELETE /v1/budgets/{own id}", w -> new Request("DELETE", "/v1/budgets/main", null),
                    204, 204, 403, 403),
            new Case("DELETE /v1/budgets/{other tenant's budget id}",
                    w -> new Request("DELETE", "/v1/budgets/" + w.rivalBudgetId(), null), 404, 404, 403, 403),
            new Case("GET /v1/budgets", w -> new Request("GET", "/v1/budgets", null), 200, 200, 200, 200),
            new Case("GET /v1/budgets/status", w -> new Request("GET", "/v1/budgets/status", null), 200, 200, 200, 200),
            new Case("POST /v1/usage", w -> new Request("POST", "/v1/usage",
                    "{\"event_id\":\"e1\",\"occurred_at\":\"2025-06-15T11:00:00Z\",\"provider\":\"openai\","
                            + "\"model\":\"gpt-4o\",\"input_tokens\":1,\"output_tokens\":1}"), 202, 202, 202, 403),
            new Case("POST /v1/estimate", w -> new Request("POST", "/v1/estimate",
                    "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":10}"), 200, 200, 200, 403));

    @BeforeAll
    void start() {
        // the matrix sends hundreds of refused credentials from one address on purpose: the failed-attempt limits
        // (tested by AuthenticationFloodTest) would turn its 401s into 429s
        ingest = TestIngest.start(Clock.fixed(NOW, ZoneOffset.UTC),
                config -> config.withLimits(config.limits().withAuthFailuresPerMinute(100_000, 100_000)));
    }

    @AfterAll
    void stop() {
        ingest.close();
    }

    Stream<Arguments> matrix() {
        List<Arguments> arguments = new ArrayList<>();
        for (Case c : CASES) {
            for (Role role : Role.values()) {
                arguments.add(Arguments.of(c, role));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void shouldAnswerEachRoleAsExpectedAndNeverTouchOrRevealAnotherTenant(Case c, Role role) {
        World world = newWorld();
        Request request = c.request().apply(world);

        HttpResponse<String> response = send(request, world.tokens().get(role));

        assertThat(response.statusCode()).as(c + " as " + role + ": " + response.body()).isEqualTo(c.expected(role));
        assertThat(response.body()).as("no trace of the other tenant")
                .doesNotContain(world.rival(), world.rivalKeyId(), RIVAL_LIMIT);
        assertRivalUntouched(world);
        if (response.statusCode() == 200 && request.method().equals("GET")) {
            assertThat(json(response).findValuesAsText("tenant_id")).allMatch(world.tenant()::equals);
        }
    }

    @ParameterizedTest(name = "{0} without a key")
    @MethodSource("cases")
    void shouldAnswer401WithoutAKey(Case c) {
        World world = newWorld();
        Request request = c.request().apply(world);

        HttpResponse<String> response = send(request, null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    Stream<Case> cases() {
        return CASES.stream();
    }

    private final Map<BadKey, World> worldsByBadKey = new EnumMap<>(BadKey.class);

    /** Credentials that must never pass, whatever the route. */
    enum BadKey { MALFORMED, UNKNOWN_KEY_ID, WRONG_SECRET, REVOKED, SUSPENDED_TENANT, ADMIN_KEY_AS_BEARER, OTHER_SCHEME }

    Stream<Arguments> badKeys() {
        List<Arguments> arguments = new ArrayList<>();
        for (Case c : CASES) {
            for (BadKey bad : BadKey.values()) {
                arguments.add(Arguments.of(c, bad));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} with a {1} key")
    @MethodSource("badKeys")
    void shouldAnswer401ToEveryBadCredentialAndChangeNothing(Case c, BadKey bad) {
        // one world per kind of bad key: nothing may change it, so the routes can share it (and CI time)
        World world = worldsByBadKey.computeIfAbsent(bad, b -> newWorld());
        String owner = world.tokens().get(Role.OWNER);
        String keyId = owner.substring(0, owner.indexOf('.'));
        String authorization = switch (bad) {
            case MALFORMED -> "Bearer " + pick(c, "bg_", "bg_x.y", "not-a-key", owner.replace('.', '-'),
                    keyId + ".", "bg_' OR '1'='1.x");
            case UNKNOWN_KEY_ID -> "Bearer bg_kzzzzzzzzzzzzzzz" + owner.substring(owner.indexOf('.'));
            case WRONG_SECRET -> "Bearer " + keyId + "." + "A".repeat(owner.length() - keyId.length() - 1);
            case REVOKED -> {
                ingest.admin("DELETE", "/admin/tenant/" + world.tenant() + "/apikeys/"
                        + owner.substring(3, owner.indexOf('.')), null);
                assertThat(ingest.view.apiKeyOrNull(owner.substring(3, owner.indexOf('.'))).getRevokedAt()).isNotNull();
                yield "Bearer " + owner;
            }
            case SUSPENDED_TENANT -> {
                assertThat(ingest.admin("PATCH", "/admin/tenants/" + world.tenant(), "{\"status\":\"suspended\"}")
                        .statusCode()).isEqualTo(200);
                yield "Bearer " + owner;
            }
            case ADMIN_KEY_AS_BEARER -> "Bearer " + ingest.adminKey;
            case OTHER_SCHEME -> "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (keyId + ":" + owner.substring(owner.indexOf('.') + 1)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        };
        Request request = c.request().apply(world);
        int keysBefore = ingest.view.apiKeysOf(world.tenant()).size();
        int budgetsBefore = ingest.view.budgetsOf(world.tenant()).size();
        int publishedBefore = ingest.producer.history().size();

        List<String> headers = new ArrayList<>(List.of("Authorization", authorization));
        if (request.body() != null) {
            headers.addAll(List.of("Content-Type", "application/json"));
        }
        HttpResponse<String> response = ingest.send(request.method(), request.path(), request.body(),
                headers.toArray(String[]::new));

        assertThat(response.statusCode()).as(c + " with a " + bad + " key: " + response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(response.body()).doesNotContain(owner.substring(owner.indexOf('.') + 1), ingest.adminKey,
                world.rival());
        assertThat(ingest.view.apiKeysOf(world.tenant())).hasSize(keysBefore);
        assertThat(ingest.view.budgetsOf(world.tenant())).hasSize(budgetsBefore);
        assertThat(ingest.producer.history()).hasSize(publishedBefore);
        assertRivalUntouched(world);
    }

    @ParameterizedTest(name = "{0} with another tenant's ids in the query string")
    @MethodSource("cases")
    void shouldIgnoreTenantAndKeyIdsSmuggledInTheQueryString(Case c) {
        World world = newWorld();
        Request plain = c.request().apply(world);
        String smuggled = (plain.path().contains("?") ? "&" : "?") + "tenant_id=" + world.rival() + "&tenant="
                + world.rival() + "&key_id=" + world.rivalKeyId() + "&api_key_id=" + world.rivalKeyId();
        Request request = new Request(plain.method(), plain.path() + smuggled, plain.body());

        HttpResponse<String> response = send(request, world.tokens().get(Role.OWNER));

        assertThat(response.statusCode()).as(c + ": " + response.body()).isEqualTo(c.expected(Role.OWNER));
        assertThat(response.body()).doesNotContain(world.rival(), world.rivalKeyId(), RIVAL_LIMIT);
        assertRivalUntouched(world);
    }

    private static String pick(Case c, String... options) {
        return options[Math.floorMod(c.name().hashCode(), options.length)];
    }

    private HttpResponse<String> send(Request request, String token) {
        List<String> headers = new ArrayList<>();
        if (token != null) {
            headers.addAll(List.of("Authorization", "Bearer " + token));
        }
        if (request.body() != null) {
            headers.addAll(List.of("Content-Type", "application/json"));
        }
        return ingest.send(request.method(), request.path(), request.body(), headers.toArray(String[]::new));
    }

    private World newWorld() {
        int n = ++worlds;
        String tenant = "acme-" + n;
        String rival = "rival-" + n;
        createTenant(tenant);
        createTenant(rival);
        Map<Role, String> tokens = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            tokens.put(role, createKey(tenant, role).path("api_key").asText());
        }
        String victim = createKey(tenant, Role.DEVELOPER).path("key_id").asText();
        String owner = createKey(tenant, Role.OWNER).path("key_id").asText();
        String rivalKey = createKey(rival, Role.OWNER).path("key_id").asText();
        String rivalBudget = "rivalonly-" + n;
        putBudget(tenant, "main", "{\"limit_usd\":\"50\"}");
        putBudget(rival, "main", "{\"limit_usd\":\"" + RIVAL_LIMIT + "\"}");
        putBudget(rival, rivalBudget, "{\"limit_usd\":\"" + RIVAL_LIMIT + "\",\"api_key_id\":\"" + rivalKey + "\"}");
        return new World(tenant, tokens, victim, owner, rival, rivalKey, rivalBudget);
    }

    private void assertRivalUntouched(World world) {
        assertThat(ingest.view.apiKeyOrNull(world.rivalKeyId()).getRevokedAt()).isNull();
        assertThat(ingest.view.apiKeysOf(world.rival())).hasSize(1);
        assertThat(ingest.view.budgetsOf(world.rival())).extracting(Budget::getBudgetId)
                .containsExactly("main", world.rivalBudgetId());
        assertThat(ingest.view.budgetsOf(world.rival())).extracting(Budget::getLimitUsd)
                .allMatch(limit -> limit.compareTo(new BigDecimal(RIVAL_LIMIT)) == 0);
    }

    private void createTenant(String id) {
        assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":\"" + id + "\",\"name\":\"" + id + "\"}").statusCode())
                .isEqualTo(201);
    }

    private JsonNode createKey(String tenant, Role role) {
        HttpResponse<String> response = ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys",
                "{\"role\":\"" + role.wireName() + "\"}");
        assertThat(response.statusCode()).isEqualTo(201);
        return json(response);
    }

    private void putBudget(String tenant, String budgetId, String body) {
        assertThat(ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/" + budgetId, body).statusCode())
                .isEqualTo(201);
    }
}
