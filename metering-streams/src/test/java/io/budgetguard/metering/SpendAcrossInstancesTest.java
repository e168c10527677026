package io.budgetguard.metering;

import static io.budgetguard.metering.testing.Fixtures.apiKey;
import static io.budgetguard.metering.testing.Fixtures.budget;
import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.tenant;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.json.Json;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.metering.spend.SpendForwarder;
import io.budgetguard.metering.testing.BrokerClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two metering-streams instances of one application (same application id, own state directories and HTTP ports) on
 * the real broker share the six partitions; {@code GET /v1/spend} gives the same answer on either, forwarding to the
 * owner of the tenant's partition when needed, and never shows a tenant another's budget.
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpendAcrossInstancesTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int PARTITIONS = 6;

    /** One tenant per partition of usage.events.v1, so both instances own some. */
    private final Map<String, PresentedKey> keys = new LinkedHashMap<>();
    private BrokerClient broker;
    private MeteringService first;
    private MeteringService second;

    @BeforeAll
    void startTwoInstances(LocalStack stack) {
        String prefix = SharedStack.unique("iq");
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; covered.size() < PARTITIONS; i++) {
            String tenant = prefix + "-" + i;
            if (covered.add(BrokerClient.partitionOf(tenant, PARTITIONS))) {
                keys.put(tenant, ApiKeys.generate());
            }
        }
        broker = new BrokerClient(stack, keys.keySet());
        broker.price(testModelPrice("v1", Instant.parse("2020-01-01T00:00:00Z")));
        int n = 0;
        for (Map.Entry<String, PresentedKey> entry : keys.entrySet()) {
            String tenant = entry.getKey();
            broker.tenant(tenant(tenant, "active"));
            broker.apiKey(apiKey(entry.getValue(), tenant, Role.VIEWER, null));
            broker.budget(monthlyBudget(tenant, "monthly", "1"));
            broker.budget(budget(tenant, "own-" + n++, "10", "daily", List.of(100), null, null));
        }
        MeteringConfig config = MeteringConfig.defaults(stack.kafkaBootstrap(), stack.schemaRegistryUrl())
                .withApplicationId("metering-" + prefix)
                .withHttpPort(0);
        Path state = Path.of("target", "streams-state", prefix).toAbsolutePath();
        first = new MeteringService(config.withStateDir(state.resolve("first"))).start();
        second = new MeteringService(config.withStateDir(state.resolve("second"))).start();
        await().atMost(Duration.ofSeconds(90)).until(() -> first.isReady() && second.isReady());
    }

    @AfterAll
    void stop() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldGiveTheSameAnswerOnEitherInstanceAndServeEachTenantFromItsOwner() throws Exception {
        Instant now = Instant.now();
        int tenantIndex = 0;
        Map<String, Integer> expectedCounts = new LinkedHashMap<>();
        for (String tenant : keys.keySet()) {
            int events = ++tenantIndex;
            for (int e = 0; e < events; e++) {
                broker.eventAsync(event(tenant, "e" + e, now, 100_000));
            }
            broker.eventAsync(event(tenant, "e0", now, 100_000)); // a duplicate
            expectedCounts.put(tenant, events);
        }
        broker.flush();

        Set<String> servedBy = new HashSet<>();
        for (Map.Entry<String, Integer> expected : expectedCounts.entrySet()) {
            PresentedKey key = keys.get(expected.getKey());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    Json.MAPPER.readTree(get(first, "/v1/spend?budget_id=monthly", key).body())
                            .path("event_count").asInt()).isEqualTo(expected.getValue()));
            HttpResponse<String> fromFirst = get(first, "/v1/spend", key);
            HttpResponse<String> fromSecond = get(second, "/v1/spend", key);

            assertThat(fromFirst.statusCode()).isEqualTo(200);
            assertThat(fromSecond.statusCode()).isEqualTo(200);
            assertThat(fromSecond.body()).isEqualTo(fromFirst.body());
            assertThat(fromFirst.headers().firstValue(SpendForwarder.SERVED_BY))
                    .isEqualTo(fromSecond.headers().firstValue(SpendForwarder.SERVED_BY));
            servedBy.add(fromFirst.headers().firstValue(SpendForwarder.SERVED_BY).orElseThrow());
            JsonNode monthly = Json.MAPPER.readTree(fromFirst.body()).get("budgets").get(0);
            assertThat(monthly.get("spend_usd").asText())
                    .isEqualTo(new java.math.BigDecimal("0.1").multiply(java.math.BigDecimal.valueOf(
                            expected.getValue())).stripTrailingZeros().toPlainString());
        }
        assertThat(servedBy).as("both instances own some of the tenants")
                .containsExactlyInAnyOrder("127.0.0.1:" + first.port(), "127.0.0.1:" + second.port());
    }

    @Test
    void shouldAnswerNotFoundOnEitherInstanceWhenAKeyAsksForAnotherTenantsBudget() throws Exception {
        List<String> tenants = new ArrayList<>(keys.keySet());
        PresentedKey firstTenantsKey = keys.get(tenants.get(0));
        String otherTenantsBudget = "own-1";

        HttpResponse<String> fromFirst = get(first, "/v1/spend?budget_id=" + otherTenantsBudget, firstTenantsKey);
        HttpResponse<String> fromSecond = get(second, "/v1/spend?budget_id=" + otherTenantsBudget, firstTenantsKey);

        assertThat(fromFirst.statusCode()).isEqualTo(404);
        assertThat(fromSecond.statusCode()).isEqualTo(404);
        assertThat(fromFirst.body() + fromSecond.body()).doesNotContain(tenants.get(1));
    }

    @Test
    void shouldAnswerTheCurrentPeriodByDefault() throws Exception {
        PresentedKey key = keys.values().iterator().next();

        JsonNode monthly = Json.MAPPER.readTree(get(second, "/v1/spend?budget_id=monthly", key).body());

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        assertThat(monthly.get("period_start").asText())
                .isEqualTo(today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString());
    }

    private static HttpResponse<String> get(MeteringService service, String path, PresentedKey key) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                .header("Authorization", "Bearer " + key.token()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
