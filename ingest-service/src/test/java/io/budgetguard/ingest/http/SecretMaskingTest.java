package io.budgetguard.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.admin.AdminJson.CreatedApiKeyJson;
import io.budgetguard.ingest.keys.ApiKeyIssuer;
import io.budgetguard.ingest.testing.TestIngest;
import io.budgetguard.ingest.testing.TestSecrets;
import io.budgetguard.schemas.control.ApiKey;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Secrets stay out of answers and out of the text of the objects that hold them (what a log line would show). */
class SecretMaskingTest {

    @Test
    void shouldNotEchoAKeyPastedAsTheBody() {
        try (TestIngest ingest = TestIngest.start(Clock.systemUTC())) {
            ingest.fixtures.tenant("acme", "active");
            PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);

            HttpResponse<String> response = ingest.postUsage(key.token(), key.token());

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).doesNotContain(key.secret()).contains("…");
        }
    }

    @Test
    void shouldMaskSecretsInTheTextOfObjectsHoldingThem() {
        PresentedKey key = ApiKeys.generate();
        TestSecrets.register(key.secret());
        ApiKey record = new ApiKey(key.keyId(), "acme", "owner", "$2a$04$hash", Instant.EPOCH, null);
        ApiKeyIssuer.Issued issued = new ApiKeyIssuer.Issued(record, key);

        assertThat(key.toString()).doesNotContain(key.secret());
        assertThat(issued.toString()).doesNotContain(key.secret());
        assertThat(CreatedApiKeyJson.of(issued).toString()).doesNotContain(key.secret());
    }

    @Test
    void shouldMaskTheAdminKeyHashInTheConfigurationsText() {
        String hash = AdminKeyVerifier.sha256Hex(TestSecrets.newAdminKey());

        String text = IngestConfig.of("localhost:9092", "http://localhost:8085", hash).toString();

        assertThat(text).doesNotContain(hash).contains(hash.substring(0, 6) + "…");
    }
}
