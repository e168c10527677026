package io.budgetguard.ingest.admin;

import static io.budgetguard.ingest.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.testing.MutableClock;
import io.budgetguard.ingest.testing.TestIngest;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.topics.Topics;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /admin/tenant/{id}/apikeys/{key_id}/rotate} with a clock the test moves. */
class KeyRotationTest {

    private static final Instant START = Instant.parse("2025-06-15T12:00:00Z");
    private final MutableClock clock = new MutableClock(START);
    private final TestIngest ingest = TestIngest.start(clock);

    @BeforeEach
    void createTenant() {
        assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}").statusCode())
                .isEqualTo(201);
    }

    @AfterEach
    void stop() {
        ingest.close();
    }

    private JsonNode createKey(String role) {
        HttpResponse<String> response = ingest.admin("POST", "/admin/tenant/acme/apikeys", "{\"role\":\"" + role + "\"}");
        assertThat(response.statusCode()).isEqualTo(201);
        return json(response);
    }

    private HttpResponse<String> rotate(String keyId, String body) {
        return ingest.admin("POST", "/admin/tenant/acme/apikeys/" + keyId + "/rotate", body);
    }

    private int post(String token) {
        String event = "{\"event_id\":\"e-" + clock.millis() + "\",\"occurred_at\":\"" + clock.instant()
                + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":1,\"output_tokens\":1}";
        return ingest.postUsage(token, event).statusCode();
    }

    @Test
    void shouldIssueANewKeyOfTheSameRoleAndKeepTheOldOneUsableUntilTheOverlapEnds() {
        JsonNode old = createKey("admin");
        String oldToken = old.path("api_key").asText();
        assertThat(post(oldToken)).isEqualTo(202);

        HttpResponse<String> response = rotate(old.path("key_id").asText(), "{\"overlap_seconds\":300}");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode rotated = json(response);
        String newToken = rotated.path("api_key").asText();
        assertThat(rotated.path("role").asText()).isEqualTo("admin");
        assertThat(rotated.path("key_id").asText()).isNotEqualTo(old.path("key_id").asText());
        assertThat(rotated.path("previous_key").path("key_id").asText()).isEqualTo(old.path("key_id").asText());
        assertThat(rotated.path("previous_key").path("status").asText()).isEqualTo("expiring");
        assertThat(Instant.parse(rotated.path("previous_key").path("revoked_at").asText()))
                .isEqualTo(START.plusSeconds(300));
        assertThat(post(oldToken)).isEqualTo(202);
        assertThat(post(newToken)).isEqualTo(202);

        clock.advance(Duration.ofSeconds(299));
        assertThat(post(oldToken)).isEqualTo(202);

        clock.advance(Duration.ofSeconds(1));
        assertThat(post(oldToken)).isEqualTo(401);
        assertThat(post(newToken)).isEqualTo(202);
    }

    @Test
    void shouldPublishTheNewKeyAndTheOldKeysRevokedAt() {
        JsonNode old = createKey("viewer");
        ingest.producer.clear();

        JsonNode rotated = json(rotate(old.path("key_id").asText(), "{\"overlap_seconds\":60}"));

        var serde = Topics.CONTROL_APIKEYS.valueSerde(ingest.registry);
        List<ApiKey> published = ingest.producer.history().stream()
                .map(record -> serde.deserialize(record.topic(), record.value())).toList();
        assertThat(published).hasSize(2);
        assertThat(published.get(0).getKeyId()).isEqualTo(rotated.path("key_id").asText());
        assertThat(published.get(0).getRole()).isEqualTo("viewer");
        assertThat(published.get(0).getRevokedAt()).isNull();
        assertThat(published.get(1).getKeyId()).isEqualTo(old.path("key_id").asText());
        assertThat(published.get(1).getRevokedAt()).isEqualTo(START.plusSeconds(60));
    }

    @Test
    void shouldDefaultTheOverlapToOneHour() {
        JsonNode old = createKey("developer");

        JsonNode rotated = json(rotate(old.path("key_id").asText(), null));

        assertThat(Instant.parse(rotated.path("previous_key").path("revoked_at").asText()))
                .isEqualTo(START.plus(Duration.ofHours(1)));
    }

    @Test
    void shouldRevokeTheOldKeyAtOnceWithAZeroOverlap() {
        JsonNode old = createKey("developer");

        JsonNode rotated = json(rotate(old.path("key_id").asText(), "{\"overlap_seconds\":0}"));

        assertThat(rotated.path("previous_key").path("status").asText()).isEqualTo("revoked");
        assertThat(post(old.path("api_key").asText())).isEqualTo(401);
    }

    @Test
    void shouldRevokeAnExpiringKeyAtOnceOnDelete() {
        JsonNode old = createKey("developer");
        rotate(old.path("key_id").asText(), "{\"overlap_seconds\":600}");

        HttpResponse<String> revoked = ingest.admin("DELETE", "/admin/tenant/acme/apikeys/" + old.path("key_id").asText(),
                null);

        assertThat(json(revoked).path("status").asText()).isEqualTo("revoked");
        assertThat(Instant.parse(json(revoked).path("revoked_at").asText())).isEqualTo(START);
        assertThat(post(old.path("api_key").asText())).isEqualTo(401);
    }

    @Test
    void shouldListTheStatusOfEachKey() {
        JsonNode expiring = createKey("developer");
        JsonNode revoked = createKey("developer");
        rotate(expiring.path("key_id").asText(), "{\"overlap_seconds\":600}");
        ingest.admin("DELETE", "/admin/tenant/acme/apikeys/" + revoked.path("key_id").asText(), null);

        JsonNode keys = json(ingest.admin("GET", "/admin/tenant/acme/apikeys", null)).path("api_keys");

        assertThat(keys).hasSize(3);
        for (JsonNode key : keys) {
            String id = key.path("key_id").asText();
            String expected = id.equals(expiring.path("key_id").asText()) ? "expiring"
                    : id.equals(revoked.path("key_id").asText()) ? "revoked" : "active";
            assertThat(key.path("status").asText()).as(id).isEqualTo(expected);
        }
    }

    @Test
    void shouldRefuseToRotateARevokedKeyWith409() {
        JsonNode old = createKey("developer");
        ingest.admin("DELETE", "/admin/tenant/acme/apikeys/" + old.path("key_id").asText(), null);

        assertThat(rotate(old.path("key_id").asText(), null).statusCode()).isEqualTo(409);
    }

    @Test
    void shouldRefuseAnOverlapOutOfRangeWith422() {
        JsonNode old = createKey("developer");

        HttpResponse<String> response = rotate(old.path("key_id").asText(), "{\"overlap_seconds\":-1}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("overlap_seconds");
        assertThat(rotate(old.path("key_id").asText(), "{\"overlap_seconds\":2592001}").statusCode()).isEqualTo(422);
    }

    @Test
    void shouldAnswer404ForAnotherTenantsKey() {
        assertThat(ingest.admin("POST", "/admin/tenants", "{\"id\":\"other\",\"name\":\"Other\"}").statusCode())
                .isEqualTo(201);
        String othersKey = json(ingest.admin("POST", "/admin/tenant/other/apikeys", null)).path("key_id").asText();

        assertThat(rotate(othersKey, null).statusCode()).isEqualTo(404);
        assertThat(ingest.view.apiKeyOrNull(othersKey).getRevokedAt()).isNull();
    }
}
