package io.budgetguard.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.auth.AdminKeyVerifier;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

    private static Map<String, String> required() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP", "localhost:9092");
        env.put("SCHEMA_REGISTRY_URL", "http://localhost:8081/apis/ccompat/v7");
        env.put("BUDGETGUARD_ADMIN_KEY_SHA256", AdminKeyVerifier.sha256Hex("admin-key"));
        return env;
    }

    @Test
    void shouldLingerTwoMillisecondsForSmallRequestsAndFiveForBatchesByDefault() {
        // D37: two producers (D25); the small requests' linger is 2 ms since session 12 (docs/PERFORMANCE.md)
        IngestConfig config = IngestConfig.fromEnv(required());

        assertThat(config.smallLingerMs()).isEqualTo(2);
        assertThat(config.lingerMs()).isEqualTo(5);
    }

    @Test
    void shouldTakeTheSmallRequestLingerFromTheEnvironment() {
        Map<String, String> env = required();
        env.put("INGEST_SMALL_LINGER_MS", "1");

        assertThat(IngestConfig.fromEnv(env).smallLingerMs()).isEqualTo(1);
    }

    @Test
    void shouldNameAnOutOfRangeSmallRequestLinger() {
        Map<String, String> env = required();
        env.put("INGEST_SMALL_LINGER_MS", "5000");

        assertThatThrownBy(() -> IngestConfig.fromEnv(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("INGEST_SMALL_LINGER_MS must be between 0 and 1000, was 5000");
    }
}
