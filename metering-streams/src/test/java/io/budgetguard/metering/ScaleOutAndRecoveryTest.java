package io.budgetguard.metering;

import static io.budgetguard.metering.testing.Fixtures.MODEL;
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
import io.budgetguard.metering.testing.MeteringProcess;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.PricedUsage;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two instances of one application (same application id, own state directories and HTTP ports) on the real broker,
 * one tenant per partition of {@code usage.events.v1}. One instance runs as a child JVM ({@code MeteringMain}), the
 * other in this JVM.
 *
 * <ol>
 *   <li>They share the partitions, and {@code GET /v1/spend} gives the same answer on either (forwarded to the owner
 *       of the tenant's partition), never another tenant's budget.</li>
 *   <li>The child is killed with SIGKILL while events flow (its open transaction is left behind, it never leaves the
 *       group); the other instance takes its partitions over.</li>
 *   <li>The child is restarted on its state directory, takes partitions back and resumes from the changelogs.</li>
 * </ol>
 * Throughout, every event is priced exactly once, every alert is emitted exactly once, and the spend equals the sum of
 * the priced costs. The tests are the acts of one scenario and run in order (starting instances is what costs time).
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutAndRecoveryTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int PARTITIONS = 6;
    /** Each event: 50 000 input tokens of the test model, $0.05. */
    private static final long TOKENS = 50_000;
    private static final BigDecimal EVENT_COST = new BigDecimal("0.05");
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, PresentedKey> keys = new LinkedHashMap<>();
    private final Instant occurred = Instant.now();
    private final String day = LocalDate.ofInstant(occurred, ZoneOffset.UTC).toString();
    private Map<String, String> childEnv;
    private Path childLog;
    private BrokerClient broker;
    private MeteringProcess child;
    private MeteringService survivor;

    @BeforeAll
    void startTwoInstances(LocalStack stack) {
        String prefix = SharedStack.unique("crash");
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; covered.size() < PARTITIONS; i++) {
            String tenant = prefix + "-" + i;
            if (covered.add(BrokerClient.partitionOf(tenant, PARTITIONS))) {
                keys.put(tenant, ApiKeys.generate());
            }
        }
        broker = new BrokerClient(stack, keys.keySet());
        broker.price(testModelPrice("v1", Instant.parse("2020-01-01T00:00:00Z")));
        keys.forEach((tenant, key) -> {
            broker.tenant(tenant(tenant, "active"));
            broker.apiKey(apiKey(key, tenant, Role.VIEWER, null));
            broker.budget(monthlyBudget(tenant, "monthly", "1"));
            broker.budget(budget(tenant, "model-cap", "0.5", "monthly", List.of(100), null, MODEL));
        });
        String applicationId = "metering-" + prefix;
        Path state = Path.of("target", "streams-state", prefix).toAbsolutePath();
        childLog = Path.of("target", "scale-out", prefix + "-child.log").toAbsolutePath();
        childEnv = Map.of(
                "KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
                "SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl(),
                "STREAMS_APPLICATION_ID", applicationId,
                "STREAMS_STATE_DIR", state.resolve("child").toString(),
                "STREAMS_SESSION_TIMEOUT_MS", String.valueOf(SESSION_TIMEOUT.toMillis()),
                "STREAMS_TRANSACTION_TIMEOUT_MS", String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
        child = MeteringProcess.start(childEnv, childLog);
        survivor = new MeteringService(MeteringConfig.defaults(stack.kafkaBootstrap(), stack.schemaRegistryUrl())
                .withApplicationId(applicationId)
                .withStateDir(state.resolve("survivor"))
                .withHttpPort(0)
                .withTimeouts(SESSION_TIMEOUT, TRANSACTION_TIMEOUT)).start();
        await().atMost(Duration.ofSeconds(90)).until(() -> survivor.isReady() && child.isReady());
        awaitBothInstancesServe();
    }

    @AfterAll
    void stop() {
        if (child != null) {
            child.close();
        }
        if (survivor != null) {
            survivor.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void shouldGiveTheSameAnswerOnEitherInstance() throws Exception {
        sendToEveryTenant(0, 10);
        sendToEveryTenant(0, 2);                        // duplicates
        awaitPriced(10);

        for (Map.Entry<String, PresentedKey> tenant : keys.entrySet()) {
            HttpResponse<String> fromChild = get(child.port(), "/v1/spend?period=" + day, tenant.getValue());
            HttpResponse<String> fromSurvivor = get(survivor.port(), "/v1/spend?period=" + day, tenant.getValue());

            assertThat(fromChild.statusCode()).isEqualTo(200);
            assertThat(fromSurvivor.body()).isEqualTo(fromChild.body());
            assertThat(fromSurvivor.headers().firstValue(SpendForwarder.SERVED_BY))
                    .isEqualTo(fromChild.headers().firstValue(SpendForwarder.SERVED_BY));
            JsonNode budgets = Json.MAPPER.readTree(fromChild.body()).get("budgets");
            assertThat(budgets.findValuesAsText("budget_id")).containsExactly("model-cap", "monthly");
            assertThat(budgets.findValuesAsText("spend_usd")).containsExactly("0.5", "0.5");
            assertThat(budgets.findValuesAsText("tenant_id")).containsOnly(tenant.getKey());
        }
    }

    @Test
    @Order(2)
    void shouldAnswerNotFoundOnEitherInstanceWhenAKeyAsksForAnotherTenantsBudget() throws Exception {
        List<String> tenants = List.copyOf(keys.keySet());
        broker.budget(budget(tenants.get(1), "only-theirs", "5", "daily", List.of(100), null, null));
        PresentedKey firstTenantsKey = keys.get(tenants.get(0));
        PresentedKey secondTenantsKey = keys.get(tenants.get(1));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                get(child.port(), "/v1/spend?budget_id=only-theirs", secondTenantsKey).statusCode() == 200
                        && get(survivor.port(), "/v1/spend?budget_id=only-theirs", secondTenantsKey).statusCode() == 200);

        HttpResponse<String> fromChild = get(child.port(), "/v1/spend?budget_id=only-theirs", firstTenantsKey);
        HttpResponse<String> fromSurvivor = get(survivor.port(), "/v1/spend?budget_id=only-theirs", firstTenantsKey);

        assertThat(fromChild.statusCode()).isEqualTo(404);
        assertThat(fromSurvivor.statusCode()).isEqualTo(404);
        assertThat(fromChild.body() + fromSurvivor.body()).doesNotContain(tenants.get(1)).doesNotContain("spend_usd");
    }

    @Test
    @Order(3)
    void shouldHandAKilledInstancesWorkToTheOtherWithIdenticalResults() throws Exception {
        sendToEveryTenant(10, 20);
        child.kill();                                   // SIGKILL while events are being processed
        sendToEveryTenant(20, 30);
        sendToEveryTenant(0, 5);                        // duplicates of events the killed instance had priced
        sendSentinels("s1");
        awaitSentinels("s1");

        assertPricedExactlyOnce(ids(0, 30, "s1"));
        assertAlertsExactlyOnce();
        for (String tenant : keys.keySet()) {
            assertSpend(survivor.port(), tenant, 31, EVENT_COST.multiply(BigDecimal.valueOf(30)));
        }
    }

    @Test
    @Order(4)
    void shouldResumeARestartedInstanceFromItsChangelogs() throws Exception {
        child = MeteringProcess.start(childEnv, childLog);
        await().atMost(Duration.ofSeconds(90)).until(() -> child.isReady() && survivor.isReady());
        awaitBothInstancesServe();

        sendToEveryTenant(0, 30);                       // every earlier event again: all duplicates
        sendToEveryTenant(30, 40);
        sendSentinels("s2");
        awaitSentinels("s2");

        assertPricedExactlyOnce(ids(0, 40, "s1", "s2"));
        assertAlertsExactlyOnce();
        for (String tenant : keys.keySet()) {
            BigDecimal spend = EVENT_COST.multiply(BigDecimal.valueOf(40));
            assertSpend(survivor.port(), tenant, 42, spend);
            assertSpend(child.port(), tenant, 42, spend);
            assertThat(get(child.port(), "/v1/spend?period=" + day, keys.get(tenant)).body())
                    .isEqualTo(get(survivor.port(), "/v1/spend?period=" + day, keys.get(tenant)).body());
        }
    }

    private void sendToEveryTenant(int from, int to) {
        for (int i = from; i < to; i++) {
            for (String tenant : keys.keySet()) {
                broker.eventAsync(event(tenant, "e" + i, occurred, TOKENS));
            }
        }
        broker.flush();
    }

    private void sendSentinels(String id) {
        keys.keySet().forEach(tenant -> broker.eventAsync(event(tenant, id, occurred, 0)));
        broker.flush();
    }

    /** Waits until {@code perTenant} events of every tenant are priced (committed). */
    private void awaitPriced(int perTenant) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(broker.poll().priced())
                .hasSizeGreaterThanOrEqualTo(perTenant * keys.size()));
    }

    /** Once a tenant's last event is priced, everything before it in its partition was processed and committed. */
    private void awaitSentinels(String id) {
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(broker.poll().priced().stream()
                .filter(p -> p.getEventId().equals(id)).map(PricedUsage::getTenantId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(keys.keySet()));
        broker.poll(); // and whatever the same transactions committed alongside
    }

    private void assertPricedExactlyOnce(List<String> expectedIds) {
        Map<String, List<String>> byTenant = new HashMap<>();
        for (PricedUsage priced : broker.priced()) {
            byTenant.computeIfAbsent(priced.getTenantId(), t -> new java.util.ArrayList<>()).add(priced.getEventId());
        }
        for (String tenant : keys.keySet()) {
            assertThat(byTenant.get(tenant)).as("events priced for %s", tenant)
                    .containsExactlyInAnyOrderElementsOf(expectedIds);
            BigDecimal summed = broker.priced().stream().filter(p -> p.getTenantId().equals(tenant))
                    .map(PricedUsage::getCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
            long paidEvents = expectedIds.stream().filter(id -> id.startsWith("e")).count();
            assertThat(summed).isEqualByComparingTo(EVENT_COST.multiply(BigDecimal.valueOf(paidEvents)));
        }
    }

    private void assertAlertsExactlyOnce() {
        String period = LocalDate.ofInstant(occurred, ZoneOffset.UTC).withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        List<String> expected = keys.keySet().stream().flatMap(tenant -> List.of(
                tenant + "/model-cap/" + period + "/100",
                tenant + "/monthly/" + period + "/50",
                tenant + "/monthly/" + period + "/80",
                tenant + "/monthly/" + period + "/100").stream()).toList();
        assertThat(broker.poll().alerts()).extracting(BudgetAlert::getAlertId).containsExactlyInAnyOrderElementsOf(expected);
    }

    private void assertSpend(int port, String tenant, int events, BigDecimal spend) throws Exception {
        HttpResponse<String> response = get(port, "/v1/spend?budget_id=monthly&period=" + day, keys.get(tenant));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("event_count").asInt()).isEqualTo(events);
        assertThat(new BigDecimal(body.get("spend_usd").asText())).isEqualByComparingTo(spend);
        assertThat(body.get("thresholds_alerted").toString()).isEqualTo("[50,80,100]");
    }

    /** Waits until each instance is the owner of at least one tenant (the group has settled on both). */
    private void awaitBothInstancesServe() {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Set<String> servedBy = new HashSet<>();
            for (PresentedKey key : keys.values()) {
                HttpResponse<String> response = get(survivor.port(), "/v1/spend?period=" + day, key);
                assertThat(response.statusCode()).isEqualTo(200);
                response.headers().firstValue(SpendForwarder.SERVED_BY).ifPresent(servedBy::add);
            }
            assertThat(servedBy).containsExactlyInAnyOrder("127.0.0.1:" + survivor.port(),
                    "127.0.0.1:" + child.port());
        });
    }

    private static List<String> ids(int from, int to, String... more) {
        List<String> ids = new java.util.ArrayList<>(IntStream.range(from, to).mapToObj(i -> "e" + i).toList());
        ids.addAll(List.of(more));
        return ids;
    }

    private static HttpResponse<String> get(int port, String path, PresentedKey key) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key.token()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
