package io.budgetguard.ingest.selfservice;

import static io.budgetguard.ingest.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.ingest.testing.TestIngest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the self-service routes do, beyond who may call them ({@link SelfServiceMatrixTest}). */
class SelfServiceRoutesTest {

    private final TestIngest ingest = TestIngest.start(Clock.fixed(Instant.parse("2025-06-15T12:00:00Z"), ZoneOffset.UTC));
    private String ownerToken;

    @BeforeEach
    void createTenant() {
        ingest.admin("POST", "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
        ownerToken = json(ingest.admin("POST", "/admin/tenant/acme/apikeys", "{\"role\":\"owner\"}")).path("api_key")
                .asText();
    }

    @AfterEach
    void stop() {
        ingest.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String token) {
        return body == null
                ? ingest.send(method, path, null, "Authorization", "Bearer " + token)
                : ingest.send(method, path, body, "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    @Test
    void shouldCreateAWorkingKeyForTheCallersTenantAndShowItsSecretOnce() {
        HttpResponse<String> created = call("POST", "/v1/keys", "{\"role\":\"viewer\"}", ownerToken);

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = json(created);
        assertThat(body.path("tenant_id").asText()).isEqualTo("acme");
        assertThat(body.path("role").asText()).isEqualTo("viewer");
        String token = body.path("api_key").asText();
        assertThat(ApiKeys.parse(token).keyId()).isEqualTo(body.path("key_id").asText());
        assertThat(call("GET", "/v1/budgets", null, token).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v1/keys", null, ownerToken).body()).doesNotContain(ApiKeys.parse(token).secret())
                .contains(body.path("key_id").asText());
    }

    @Test
    void shouldDefaultANewKeysRoleToDeveloper() {
        assertThat(json(call("POST", "/v1/keys", null, ownerToken)).path("role").asText()).isEqualTo("developer");
    }

    @Test
    void shouldRefuseAnUnknownRoleWith422() {
        assertThat(call("POST", "/v1/keys", "{\"role\":\"root\"}", ownerToken).statusCode()).isEqualTo(422);
    }

    @Test
    void shouldRevokeAKeySoThatItIsRefusedAtOnce() {
        JsonNode created = json(call("POST", "/v1/keys", null, ownerToken));

        HttpResponse<String> revoked = call("DELETE", "/v1/keys/" + created.path("key_id").asText(), null, ownerToken);

        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(json(revoked).path("status").asText()).isEqualTo("revoked");
        assertThat(call("GET", "/v1/budgets", null, created.path("api_key").asText()).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldCreateReplaceListAndDeleteABudget() {
        assertThat(call("PUT", "/v1/budgets/main", "{\"limit_usd\":\"100\",\"thresholds\":[90]}", ownerToken)
                .statusCode()).isEqualTo(201);
        HttpResponse<String> replaced = call("PUT", "/v1/budgets/main", "{\"limit_usd\":\"250.5\",\"model\":\"gpt-4o\"}",
                ownerToken);
        assertThat(replaced.statusCode()).isEqualTo(200);

        JsonNode budgets = json(call("GET", "/v1/budgets", null, ownerToken)).path("budgets");
        assertThat(budgets).hasSize(1);
        assertThat(budgets.get(0).path("limit_usd").asText()).isEqualTo("250.5");
        assertThat(budgets.get(0).path("model").asText()).isEqualTo("gpt-4o");
        assertThat(budgets.get(0).path("thresholds").toString()).isEqualTo("[50,80,100]");

        assertThat(call("DELETE", "/v1/budgets/main", null, ownerToken).statusCode()).isEqualTo(204);
        assertThat(json(call("GET", "/v1/budgets", null, ownerToken)).path("budgets")).isEmpty();
        assertThat(call("DELETE", "/v1/budgets/main", null, ownerToken).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldValidateABudgetLikeTheAdminApi() {
        HttpResponse<String> refused = call("PUT", "/v1/budgets/Bad!", "{\"limit_usd\":\"-1\",\"period\":\"yearly\"}",
                ownerToken);

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(json(refused).path("errors").findValuesAsText("field"))
                .contains("budget_id", "limit_usd", "period");
    }
}
