package io.budgetguard.ingest.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.json.Json;
import io.budgetguard.ingest.testing.ControlFixtures;
import io.budgetguard.ingest.testing.TestIngest;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topics;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00.555Z");
    private TestIngest ingest;
    private int tenantCounter;

    @BeforeAll
    void start() {
        ingest = TestIngest.start(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterAll
    void stop() {
        ingest.close();
    }

    @BeforeEach
    void forgetSends() {
        ingest.producer.clear();
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private String newTenant() {
        String id = "t" + (++tenantCounter);
        assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":\"" + id + "\",\"name\":\"Tenant " + id + "\"}")
                .statusCode()).isEqualTo(201);
        return id;
    }

    private <V> V decode(ProducerRecord<String, byte[]> record, io.budgetguard.schemas.topics.Topic<?> topic) {
        @SuppressWarnings("unchecked")
        V value = (V) topic.valueSerde(ingest.registry).deserialize(topic.name(), record.value());
        return value;
    }

    private List<ProducerRecord<String, byte[]>> sent(String topic) {
        return ingest.producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    @Nested
    class AdminKey {

        @Test
        void shouldRefuseAMissingAdminKeyWith401() {
            HttpResponse<String> response = ingest.send("GET", "/admin/tenants", null);

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
        }

        @Test
        void shouldRefuseAWrongAdminKeyWith401() {
            HttpResponse<String> response = ingest.send("POST", "/admin/tenants", "{\"id\":\"x\",\"name\":\"x\"}",
                    "X-Admin-Key", "0".repeat(64), "Content-Type", "application/json");

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(ingest.producer.history()).isEmpty();
        }

        @Test
        void shouldRefuseATenantApiKeyAsAdminKey() {
            String tenant = newTenant();
            String apiKey = json(ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", "{\"role\":\"owner\"}"))
                    .path("api_key").asText();

            assertThat(ingest.send("GET", "/admin/tenants", null, "X-Admin-Key", apiKey).statusCode()).isEqualTo(401);
        }

        @Test
        void shouldGuardNestedAdminPaths() {
            assertThat(ingest.send("DELETE", "/admin/tenant/t1/apikeys/k0123456789abcde", null).statusCode())
                    .isEqualTo(401);
            assertThat(ingest.send("GET", "/admin/no/such/route", null).statusCode()).isEqualTo(401);
        }
    }

    @Nested
    class Tenants {

        @Test
        void shouldCreateATenantAndPublishIt() {
            HttpResponse<String> response = ingest.admin("POST", "/admin/tenants",
                    "{\"id\":\"acme-1\",\"name\":\"Acme Inc.\",\"rate_limit_events_per_s\":500}");

            assertThat(response.statusCode()).isEqualTo(201);
            JsonNode body = json(response);
            assertThat(body.path("id").asText()).isEqualTo("acme-1");
            assertThat(body.path("name").asText()).isEqualTo("Acme Inc.");
            assertThat(body.path("status").asText()).isEqualTo("active");
            assertThat(body.path("rate_limit_events_per_s").asInt()).isEqualTo(500);
            assertThat(body.path("created_at").asText()).isEqualTo("2025-06-15T12:00:00.555Z");
            assertThat(sent("control.tenants.v1")).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("acme-1");
                Tenant tenant = decode(record, Topics.CONTROL_TENANTS);
                assertThat(tenant.getStatus()).isEqualTo("active");
            });
        }

        @Test
        void shouldSeeANewTenantAtOnce() {
            String tenant = newTenant();

            HttpResponse<String> response = ingest.admin("GET", "/admin/tenants/" + tenant, null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).path("id").asText()).isEqualTo(tenant);
            assertThat(json(ingest.admin("GET", "/admin/tenants", null)).path("tenants").findValuesAsText("id"))
                    .contains(tenant);
        }

        @Test
        void shouldAnswer409ForAnExistingTenant() {
            String tenant = newTenant();

            assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"again\"}")
                    .statusCode()).isEqualTo(409);
        }

        @Test
        void shouldAnswer404ForAnUnknownTenant() {
            assertThat(ingest.admin("GET", "/admin/tenants/nobody", null).statusCode()).isEqualTo(404);
        }

        @Test
        void shouldNameEveryInvalidField() {
            HttpResponse<String> response = ingest.admin("POST", "/admin/tenants",
                    "{\"id\":\"Bad Id\",\"rate_limit_events_per_s\":0,\"colour\":\"red\"}");

            assertThat(response.statusCode()).isEqualTo(422);
            assertThat(json(response).path("errors").findValuesAsText("field"))
                    .containsExactlyInAnyOrder("colour", "id", "name", "rate_limit_events_per_s");
        }

        @Test
        void shouldSuspendAndResumeATenant() {
            String tenant = newTenant();

            HttpResponse<String> suspended = ingest.admin("PATCH", "/admin/tenants/" + tenant, "{\"status\":\"suspended\"}");
            assertThat(suspended.statusCode()).isEqualTo(200);
            assertThat(json(suspended).path("status").asText()).isEqualTo("suspended");
            assertThat(ingest.view.tenant(tenant)).get().extracting(Tenant::getStatus).isEqualTo("suspended");

            HttpResponse<String> resumed = ingest.admin("PATCH", "/admin/tenants/" + tenant, "{\"status\":\"active\"}");
            assertThat(json(resumed).path("status").asText()).isEqualTo("active");
        }

        @Test
        void shouldRefuseAnUnknownStatus() {
            String tenant = newTenant();

            assertThat(ingest.admin("PATCH", "/admin/tenants/" + tenant, "{\"status\":\"deleted\"}").statusCode())
                    .isEqualTo(422);
        }

        @Test
        void shouldAnswer400ForMalformedJsonAnd415ForOtherContentTypes() {
            assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":").statusCode()).isEqualTo(400);
            assertThat(ingest.send("POST", "/admin/tenants", "id=x", "X-Admin-Key", ingest.adminKey,
                    "Content-Type", "application/x-www-form-urlencoded").statusCode()).isEqualTo(415);
        }
    }

    @Nested
    class ApiKeys_ {

        @Test
        void shouldCreateADeveloperKeyByDefaultAndShowTheSecretOnce() {
            String tenant = newTenant();

            HttpResponse<String> response = ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", null);

            assertThat(response.statusCode()).isEqualTo(201);
            JsonNode body = json(response);
            assertThat(body.path("role").asText()).isEqualTo("developer");
            PresentedKey key = ApiKeys.parse(body.path("api_key").asText());
            assertThat(key.keyId()).isEqualTo(body.path("key_id").asText());
            assertThat(sent("control.apikeys.v1")).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo(key.keyId());
                ApiKey published = decode(record, Topics.CONTROL_APIKEYS);
                assertThat(published.getTenantId()).isEqualTo(tenant);
                assertThat(published.getSecretHash()).startsWith("$2a$04$").doesNotContain(key.secret());
                assertThat(ControlFixtures.FAST_HASHER.verify(key.secret(), published.getSecretHash())).isTrue();
                assertThat(new String(record.value(), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .doesNotContain(key.secret());
            });
        }

        @Test
        void shouldCreateAKeyOfTheRequestedRole() {
            String tenant = newTenant();

            HttpResponse<String> response = ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", "{\"role\":\"viewer\"}");

            assertThat(json(response).path("role").asText()).isEqualTo("viewer");
        }

        @Test
        void shouldRefuseAnUnknownRole() {
            String tenant = newTenant();

            assertThat(ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", "{\"role\":\"root\"}").statusCode())
                    .isEqualTo(422);
        }

        @Test
        void shouldAnswer404ForKeysOfAnUnknownTenant() {
            assertThat(ingest.admin("POST", "/admin/tenant/nobody/apikeys", "{}").statusCode()).isEqualTo(404);
            assertThat(ingest.admin("GET", "/admin/tenant/nobody/apikeys", null).statusCode()).isEqualTo(404);
        }

        @Test
        void shouldListKeysMaskedWithoutSecretOrHash() {
            String tenant = newTenant();
            JsonNode first = json(ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", null));
            JsonNode second = json(ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", "{\"role\":\"admin\"}"));

            HttpResponse<String> response = ingest.admin("GET", "/admin/tenant/" + tenant + "/apikeys", null);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode keys = json(response).path("api_keys");
            assertThat(keys.findValuesAsText("key_id"))
                    .containsExactlyInAnyOrder(first.path("key_id").asText(), second.path("key_id").asText());
            assertThat(keys.get(0).has("revoked_at")).isTrue();
            assertThat(keys.get(0).has("created_at")).isTrue();
            String secret = ApiKeys.parse(second.path("api_key").asText()).secret();
            assertThat(response.body()).doesNotContain(secret).doesNotContain("$2a$").doesNotContain("api_key\"")
                    .doesNotContain("hash");
        }

        @Test
        void shouldRevokeAKeySoThatItIsRefusedAtOnce() {
            String tenant = newTenant();
            JsonNode created = json(ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", null));
            String token = created.path("api_key").asText();
            String event = "{\"event_id\":\"e1\",\"occurred_at\":\"2025-06-15T11:00:00Z\",\"provider\":\"openai\","
                    + "\"model\":\"gpt-4o\",\"input_tokens\":1,\"output_tokens\":1}";
            assertThat(ingest.postUsage(token, event).statusCode()).isEqualTo(202);

            HttpResponse<String> revoked = ingest.admin("DELETE",
                    "/admin/tenant/" + tenant + "/apikeys/" + created.path("key_id").asText(), null);

            assertThat(revoked.statusCode()).isEqualTo(200);
            assertThat(json(revoked).path("revoked_at").asText()).isEqualTo("2025-06-15T12:00:00.555Z");
            assertThat(ingest.postUsage(token, event).statusCode()).isEqualTo(401);
        }

        @Test
        void shouldNeedNoBcryptForTheFirstRequestOfAKeyCreatedHere() {
            String tenant = newTenant();
            String token = json(ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", null)).path("api_key").asText();
            long before = ingest.server.authenticator().bcryptVerifications();

            ingest.send("GET", "/v1/budgets/status", null, "Authorization", "Bearer " + token);

            assertThat(ingest.server.authenticator().bcryptVerifications()).isEqualTo(before);
        }

        @Test
        void shouldNotRevokeAnotherTenantsKey() {
            String owner = newTenant();
            String other = newTenant();
            String keyId = json(ingest.admin("POST", "/admin/tenant/" + owner + "/apikeys", null)).path("key_id").asText();

            assertThat(ingest.admin("DELETE", "/admin/tenant/" + other + "/apikeys/" + keyId, null).statusCode())
                    .isEqualTo(404);
            assertThat(ingest.view.apiKeyOrNull(keyId).getRevokedAt()).isNull();
        }
    }

    @Nested
    class Budgets {

        @Test
        void shouldCreateABudgetWithDefaults() {
            String tenant = newTenant();

            HttpResponse<String> response = ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/main",
                    "{\"limit_usd\":\"100.50\"}");

            assertThat(response.statusCode()).isEqualTo(201);
            JsonNode body = json(response);
            assertThat(body.path("limit_usd").asText()).isEqualTo("100.5");
            assertThat(body.path("period").asText()).isEqualTo("monthly");
            assertThat(body.path("thresholds").toString()).isEqualTo("[50,80,100]");
            assertThat(sent("control.budgets.v1")).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo(tenant + "/main");
                Budget budget = decode(record, Topics.CONTROL_BUDGETS);
                assertThat(budget.getLimitUsd()).isEqualByComparingTo(new BigDecimal("100.5"));
            });
        }

        @Test
        void shouldReplaceABudgetWith200() {
            String tenant = newTenant();
            ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/main", "{\"limit_usd\":10}");

            HttpResponse<String> response = ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/main",
                    "{\"limit_usd\":20.25,\"period\":\"daily\",\"thresholds\":[90,100,150],\"model\":\"gpt-4o\"}");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(ingest.admin("GET", "/admin/tenant/" + tenant + "/budgets/main", null)).path("limit_usd")
                    .asText()).isEqualTo("20.25");
        }

        @Test
        void shouldNarrowABudgetToOneOfTheTenantsKeys() {
            String tenant = newTenant();
            String keyId = json(ingest.admin("POST", "/admin/tenant/" + tenant + "/apikeys", null)).path("key_id").asText();

            HttpResponse<String> response = ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/per-key",
                    "{\"limit_usd\":\"5\",\"api_key_id\":\"" + keyId + "\"}");

            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(json(response).path("api_key_id").asText()).isEqualTo(keyId);
        }

        @Test
        void shouldNameEveryInvalidBudgetField() {
            String tenant = newTenant();

            HttpResponse<String> response = ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/main",
                    "{\"limit_usd\":\"1.0000000001\",\"period\":\"yearly\",\"thresholds\":[80,50],"
                            + "\"api_key_id\":\"k0000000000000000\"}");

            assertThat(response.statusCode()).isEqualTo(422);
            assertThat(json(response).path("errors").findValuesAsText("field"))
                    .containsExactlyInAnyOrder("limit_usd", "period", "thresholds", "api_key_id");
        }

        @Test
        void shouldRefuseNonPositiveOrHugeLimits() {
            String tenant = newTenant();

            assertThat(ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/b", "{\"limit_usd\":\"0\"}").statusCode())
                    .isEqualTo(422);
            assertThat(ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/b", "{\"limit_usd\":\"-1\"}").statusCode())
                    .isEqualTo(422);
            assertThat(ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/b", "{\"limit_usd\":\"1e12\"}")
                    .statusCode()).isEqualTo(422);
            assertThat(ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/b", "{}").statusCode()).isEqualTo(422);
        }

        @Test
        void shouldListAndDeleteBudgets() {
            String tenant = newTenant();
            ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/b1", "{\"limit_usd\":\"1\"}");
            ingest.admin("PUT", "/admin/tenant/" + tenant + "/budgets/b2", "{\"limit_usd\":\"2\"}");

            assertThat(json(ingest.admin("GET", "/admin/tenant/" + tenant + "/budgets", null)).path("budgets")
                    .findValuesAsText("budget_id")).containsExactly("b1", "b2");

            assertThat(ingest.admin("DELETE", "/admin/tenant/" + tenant + "/budgets/b1", null).statusCode()).isEqualTo(204);
            assertThat(sent("control.budgets.v1")).last().satisfies(record -> {
                assertThat(record.key()).isEqualTo(tenant + "/b1");
                assertThat(record.value()).isNull();
            });
            assertThat(ingest.admin("GET", "/admin/tenant/" + tenant + "/budgets/b1", null).statusCode()).isEqualTo(404);
            assertThat(ingest.admin("DELETE", "/admin/tenant/" + tenant + "/budgets/b1", null).statusCode()).isEqualTo(404);
        }

        @Test
        void shouldAnswer404ForBudgetsOfAnUnknownTenant() {
            assertThat(ingest.admin("PUT", "/admin/tenant/nobody/budgets/b", "{\"limit_usd\":\"1\"}").statusCode())
                    .isEqualTo(404);
        }
    }

    @Nested
    class Prices {

        private static final String CATALOG = """
                {"version":"2025-06","effective_from":"2025-06-01T00:00:00Z","prices":[
                  {"provider":"openai","model":"gpt-4o","input_per_mtok":"2.50","cached_input_per_mtok":"1.25",
                   "cache_write_per_mtok":"0","output_per_mtok":"10.00","source":"https://openai.com/api/pricing",
                   "as_of":"2025-06-01"},
                  {"provider":"anthropic","model":"claude-sonnet-4","input_per_mtok":"3","cached_input_per_mtok":"0.30",
                   "cache_write_per_mtok":"3.75","output_per_mtok":"15"}]}""";

        @Test
        void shouldPublishOnePricePerModelKeyedByProviderModelVersion() {
            HttpResponse<String> response = ingest.admin("PUT", "/admin/prices", CATALOG);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(sent("control.prices.v1")).extracting(ProducerRecord::key)
                    .containsExactly("openai/gpt-4o/2025-06", "anthropic/claude-sonnet-4/2025-06");
            ModelPrice price = decode(sent("control.prices.v1").get(0), Topics.CONTROL_PRICES);
            assertThat(price.getInputPerMtok()).isEqualByComparingTo("2.5");
            assertThat(price.getCachedInputPerMtok()).isEqualByComparingTo("1.25");
            assertThat(price.getEffectiveFrom()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
            assertThat(price.getSource()).isEqualTo("https://openai.com/api/pricing");
        }

        @Test
        void shouldListEveryVersion() {
            ingest.admin("PUT", "/admin/prices", CATALOG);
            ingest.admin("PUT", "/admin/prices", CATALOG.replace("2025-06\"", "2025-07\"")
                    .replace("2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z"));

            JsonNode prices = json(ingest.admin("GET", "/admin/prices", null)).path("prices");

            assertThat(prices.findValuesAsText("version")).contains("2025-06", "2025-07");
            assertThat(prices.get(0).path("input_per_mtok").asText()).isEqualTo("3");
        }

        @Test
        void shouldNameEveryInvalidPriceByIndexAndField() {
            HttpResponse<String> response = ingest.admin("PUT", "/admin/prices", """
                    {"version":"v/1","effective_from":"yesterday","prices":[
                      {"provider":"openai","model":"gpt-4o","input_per_mtok":"2.5","cached_input_per_mtok":"1",
                       "cache_write_per_mtok":"0","output_per_mtok":"10"},
                      {"provider":"Open AI","model":"gpt-4o","input_per_mtok":"-1","cached_input_per_mtok":"x",
                       "cache_write_per_mtok":"0","as_of":"June"}]}""");

            assertThat(response.statusCode()).isEqualTo(422);
            JsonNode errors = json(response).path("errors");
            assertThat(errors.findValuesAsText("field")).containsExactlyInAnyOrder("version", "effective_from",
                    "provider", "input_per_mtok", "cached_input_per_mtok", "output_per_mtok", "as_of");
            assertThat(errors.findValues("index")).extracting(JsonNode::asInt).containsOnly(1);
            assertThat(sent("control.prices.v1")).isEmpty();
        }

        @Test
        void shouldRefuseTheSameModelTwice() {
            HttpResponse<String> response = ingest.admin("PUT", "/admin/prices", """
                    {"version":"v1","effective_from":"2025-06-01T00:00:00Z","prices":[
                      {"provider":"openai","model":"m","input_per_mtok":"1","cached_input_per_mtok":"1",
                       "cache_write_per_mtok":"1","output_per_mtok":"1"},
                      {"provider":"openai","model":"m","input_per_mtok":"2","cached_input_per_mtok":"2",
                       "cache_write_per_mtok":"2","output_per_mtok":"2"}]}""");

            assertThat(response.statusCode()).isEqualTo(422);
        }
    }
}
