package io.budgetguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.cli.admin.AdminClient;
import io.budgetguard.cli.dev.Pipeline;
import io.budgetguard.common.json.Json;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.verify.LedgerVerifier;
import io.budgetguard.metering.topology.ControlViews;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a real KRaft broker, the Apicurio registry and PostgreSQL: admin API → ingest → Kafka →
 * metering-streams → ledger-sink → PostgreSQL, then {@code budgetguard ledger verify}.
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {

    private static final Duration PIPELINE_TIMEOUT = Duration.ofSeconds(60);
    private static final BigDecimal MTOK = BigDecimal.valueOf(1_000_000);

    // Test prices (USD per million tokens), far from any real catalog so the test pins its own arithmetic.
    private static final BigDecimal IN = new BigDecimal("3.00");
    private static final BigDecimal CACHED = new BigDecimal("0.30");
    private static final BigDecimal CACHE_WRITE = new BigDecimal("3.75");
    private static final BigDecimal OUT = new BigDecimal("15.00");
    private static final BigDecimal ODD_IN = new BigDecimal("0.0333");

    private final HttpClient http = HttpClient.newHttpClient();
    private final String tenant = SharedStack.unique("e2e");
    private final String provider = "e2eai";
    private Pipeline pipeline;
    private String databaseUrl;
    private AdminClient admin;
    private String apiKey;

    @TempDir
    static Path stateDir;

    @BeforeAll
    void startPipeline() {
        databaseUrl = SharedStack.createDatabase("e2e");
        pipeline = Pipeline.start(SharedStack.stack(), databaseUrl, Pipeline.Ports.free(), stateDir, true);
        admin = new AdminClient(pipeline.ingestUrl(), pipeline.settings().adminKey());
        admin.putPrices("""
                {"version":"e2e-1","effective_from":"2020-01-01T00:00:00Z","prices":[
                  {"provider":"%1$s","model":"m1","input_per_mtok":"%2$s","cached_input_per_mtok":"%3$s",
                   "cache_write_per_mtok":"%4$s","output_per_mtok":"%5$s","source":"test","as_of":"2026-11-23"},
                  {"provider":"%1$s","model":"odd","input_per_mtok":"%6$s","cached_input_per_mtok":"0",
                   "cache_write_per_mtok":"0","output_per_mtok":"0"}]}
                """.formatted(provider, IN, CACHED, CACHE_WRITE, OUT, ODD_IN));
        admin.createTenant(tenant, "End to end");
        apiKey = admin.createApiKey(tenant, "developer").apiKey();
        admin.putBudget(tenant, "b1", new BigDecimal("1.00"), "monthly", List.of(50, 80, 100));
        // The control topics reach metering asynchronously: events sent before its global thread has read the catalog
        // are priced 0 (unpriced), as they would be in production; the test's arithmetic needs the prices in force.
        ControlViews views = pipeline.metering().controlViews();
        await().atMost(PIPELINE_TIMEOUT).until(() -> views.prices().priceAt(provider, "m1", Instant.now()).isPresent()
                && views.prices().priceAt(provider, "odd", Instant.now()).isPresent()
                && !views.budgets().budgetsOf(tenant).isEmpty());
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void pricesDeduplicatesAlertsAndLedgersEveryDistinctEventExactly() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ObjectNode a = event("a", now, "m1", 100_000, 0, 0, 10_000);       // 0.30 + 0.15 = 0.45 (45 %)
        ObjectNode b = event("b", now, "m1", 20_000, 0, 0, 2_000);         // 0.06 + 0.03 = 0.09 → 0.54 (50 % crossed)
        ObjectNode c = event("c", now, "m1", 100_000, 10_000, 4_000, 20_000); // 0.30+0.003+0.015+0.30 → 1.158 (80, 100)
        ObjectNode odd = event("odd", now, "odd", 1, 0, 0, 0);            // 0.0000000333 → 0.000000033 (half-even)
        ObjectNode unknown = event("unknown", now, "no-such-model", 5_000, 0, 0, 500); // unpriced: 0, never dropped

        assertThat(post(a).statusCode()).isEqualTo(202);
        assertThat(post(a).statusCode()).isEqualTo(202);                  // duplicate, same event_id
        HttpResponse<String> batch = post(batch(b, c, a, odd, unknown, odd));
        assertThat(batch.statusCode()).isEqualTo(202);
        assertThat(Json.MAPPER.readTree(batch.body()).path("accepted").asInt()).isEqualTo(6);
        assertThat(batch.headers().firstValue("X-Budget-Status")).hasValueSatisfying(
                v -> assertThat(v).isIn("ok", "warning", "exceeded"));

        BigDecimal expected = cost(100_000, 0, 0, 10_000)
                .add(cost(20_000, 0, 0, 2_000))
                .add(cost(100_000, 10_000, 4_000, 20_000))
                .add(BigDecimal.ONE.multiply(ODD_IN).divide(MTOK, 9, RoundingMode.HALF_EVEN));
        assertThat(expected).isEqualByComparingTo("1.158000033");

        await().atMost(PIPELINE_TIMEOUT).untilAsserted(() -> assertThat(ledgerCount()).isEqualTo(5));
        assertThat(ledgerSum()).isEqualByComparingTo(expected);
        assertThat(query("select count(*) from ledger_entries where tenant_id = ? and price_version = ''"))
                .as("the unknown model is recorded unpriced").isEqualTo("1");
        assertThat(query("select string_agg(event_id, ',' order by event_id) from ledger_entries where tenant_id = ?"))
                .isEqualTo("a,b,c,odd,unknown");

        List<BudgetAlert> alerts = new ArrayList<>();
        try (KafkaConsumer<String, BudgetAlert> consumer = alertConsumer()) {
            await().atMost(PIPELINE_TIMEOUT).untilAsserted(() -> {
                pollAlerts(consumer, alerts);
                assertThat(alerts).hasSize(3);
            });
            // and no fourth alert arrives later
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                pollAlerts(consumer, alerts);
                assertThat(alerts).hasSize(3);
            });
        }
        assertThat(alerts).extracting(BudgetAlert::getThresholdPercent).containsExactlyInAnyOrder(50, 80, 100);
        assertThat(alerts).filteredOn(al -> al.getThresholdPercent() == 50).singleElement()
                .satisfies(al -> assertThat(al.getEventId()).isEqualTo("b"));
        assertThat(alerts).filteredOn(al -> al.getThresholdPercent() == 100).singleElement()
                .satisfies(al -> {
                    assertThat(al.getEventId()).isEqualTo("c");
                    assertThat(al.getSpendUsd()).isEqualByComparingTo("1.158");
                    assertThat(al.getLimitUsd()).isEqualByComparingTo("1.00");
                });

        await().atMost(PIPELINE_TIMEOUT).untilAsserted(() ->
                assertThat(budgetStatus().path("status").asText()).isEqualTo("exceeded"));

        try (Connection connection = superuser()) {
            assertThat(new LedgerVerifier(connection).verify(Optional.of(tenant)).ok()).isTrue();
        }
        Verify verified = runVerify();
        assertThat(verified.exitCode).as(verified.output).isZero();
    }

    @Test
    @Order(2)
    void ledgerVerifyNamesTheEntryASuperuserChanged() throws Exception {
        await().atMost(PIPELINE_TIMEOUT).untilAsserted(() -> assertThat(ledgerCount()).isEqualTo(5));
        String eventAtSeq2 = query("select event_id from ledger_entries where tenant_id = ? and seq = 2");
        try (Connection connection = superuser(); Statement statement = connection.createStatement();
                var update = connection.prepareStatement(
                        "update ledger_entries set cost_usd = cost_usd + 1 where tenant_id = ? and seq = 2")) {
            // the triggers refuse UPDATE even to a superuser, who must switch them off first: verification still catches it
            statement.execute("set session_replication_role = replica");
            update.setString(1, tenant);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }

        Verify result = runVerify();

        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.output).contains("tenant " + tenant + " seq 2 (event " + eventAtSeq2 + ")")
                .contains("ENTRY_HASH_MISMATCH");
    }

    private record Verify(int exitCode, String output) {}

    private Verify runVerify() {
        StringWriter out = new StringWriter();
        EmbeddedPostgres pg = SharedStack.stack().postgres();
        int exit = BudgetGuardCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
                .execute("ledger", "verify", "--tenant", tenant, "--database-url", databaseUrl,
                        "--user", pg.superuser(), "--password", pg.superuserPassword(),
                        // without keys, a checkpoint signed before verify runs (10 s rule, a slow machine) exits 3
                        "--public-keys-url", pipeline.ledgerUrl() + "/v1/ledger/public-keys");
        return new Verify(exit, out.toString());
    }

    private static BigDecimal cost(long in, long cached, long cacheWrite, long out) {
        return part(in, IN).add(part(cached, CACHED)).add(part(cacheWrite, CACHE_WRITE)).add(part(out, OUT));
    }

    private static BigDecimal part(long tokens, BigDecimal perMtok) {
        return BigDecimal.valueOf(tokens).multiply(perMtok).divide(MTOK, 9, RoundingMode.HALF_EVEN);
    }

    private ObjectNode event(String id, Instant at, String model, long in, long cached, long cacheWrite, long out) {
        return Json.MAPPER.createObjectNode()
                .put("event_id", id).put("occurred_at", at.toString()).put("provider", provider).put("model", model)
                .put("input_tokens", in).put("cached_input_tokens", cached).put("cache_write_tokens", cacheWrite)
                .put("output_tokens", out);
    }

    private static ObjectNode batch(ObjectNode... events) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode array = body.putArray("events");
        for (ObjectNode e : events) {
            array.add(e);
        }
        return body;
    }

    private HttpResponse<String> post(JsonNode body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pipeline.ingestUrl() + "/v1/usage"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode budgetStatus() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(pipeline.ingestUrl() + "/v1/budgets/status"))
                .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private KafkaConsumer<String, BudgetAlert> alertConsumer() {
        KafkaConsumer<String, BudgetAlert> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedStack.stack().kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, SharedStack.unique("e2e-alerts"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(),
                Topics.BUDGET_ALERTS.valueSerde(new HttpSchemaRegistry(SharedStack.stack().schemaRegistryUrl())));
        consumer.subscribe(List.of(Topics.BUDGET_ALERTS.name()));
        return consumer;
    }

    private void pollAlerts(KafkaConsumer<String, BudgetAlert> consumer, List<BudgetAlert> into) {
        for (ConsumerRecord<String, BudgetAlert> record : consumer.poll(Duration.ofMillis(200))) {
            if (tenant.equals(record.key())) {
                into.add(record.value());
            }
        }
    }

    private long ledgerCount() throws Exception {
        return Long.parseLong(query("select count(*) from ledger_entries where tenant_id = ?"));
    }

    private BigDecimal ledgerSum() throws Exception {
        return new BigDecimal(query("select coalesce(sum(cost_usd), 0) from ledger_entries where tenant_id = ?"));
    }

    private String query(String sql) throws Exception {
        try (Connection connection = superuser(); var statement = connection.prepareStatement(sql)) {
            statement.setString(1, tenant);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private Connection superuser() throws Exception {
        EmbeddedPostgres pg = SharedStack.stack().postgres();
        Properties props = new Properties();
        props.setProperty("user", pg.superuser());
        props.setProperty("password", pg.superuserPassword());
        return DriverManager.getConnection(databaseUrl, props);
    }
}
