package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.keys.KeyServices;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerSinkConfigTest {

    private static Map<String, String> complete() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP", "localhost:9092");
        env.put("SCHEMA_REGISTRY_URL", "http://localhost:8085/apis/ccompat/v7");
        env.put("DATABASE_URL", "jdbc:postgresql://localhost:5433/budgetguard");
        env.put("DATABASE_USER", "budgetguard_sink");
        env.put("DATABASE_PASSWORD", "Zm9vYmFyYmF6cXV4");
        return env;
    }

    @Test
    void shouldReadTheEnvironmentWithDefaults() {
        LedgerSinkConfig config = LedgerSinkConfig.fromEnv(complete());

        assertThat(config.kafkaBootstrap()).isEqualTo("localhost:9092");
        assertThat(config.databaseUser()).isEqualTo("budgetguard_sink");
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8082);
        assertThat(config.topic()).isEqualTo("usage.priced.v1");
        assertThat(config.consumerGroup()).isEqualTo("budgetguard-ledger-sink");
    }

    @Test
    void shouldReadHostAndPort() {
        Map<String, String> env = complete();
        env.put("HTTP_HOST", "0.0.0.0");
        env.put("LEDGER_PORT", "0");

        LedgerSinkConfig config = LedgerSinkConfig.fromEnv(env);

        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isZero();
    }

    @Test
    void shouldNameEveryMissingSettingAtOnce() {
        assertThatThrownBy(() -> LedgerSinkConfig.fromEnv(Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(5))
                .hasMessageContaining("KAFKA_BOOTSTRAP")
                .hasMessageContaining("SCHEMA_REGISTRY_URL")
                .hasMessageContaining("DATABASE_URL")
                .hasMessageContaining("DATABASE_USER")
                .hasMessageContaining("DATABASE_PASSWORD");
    }

    @Test
    void shouldRefuseANonPostgresqlDatabaseUrlAndABadPort() {
        Map<String, String> env = complete();
        env.put("DATABASE_URL", "postgres://localhost/budgetguard");
        env.put("LEDGER_PORT", "80000");

        assertThatThrownBy(() -> LedgerSinkConfig.fromEnv(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jdbc:postgresql:")
                .hasMessageContaining("LEDGER_PORT");
    }

    @Test
    void shouldNeverShowThePassword() {
        Map<String, String> env = complete();
        env.put("DATABASE_URL", "jdbc:postgresql://localhost/db?user=x&password=hunter2hunter2");

        LedgerSinkConfig config = LedgerSinkConfig.fromEnv(env);

        assertThat(config.toString()).doesNotContain("Zm9vYmFyYmF6cXV4").doesNotContain("hunter2hunter2");
    }

    @Test
    void shouldChooseTheLocalKeyServiceOutsideProduction() {
        Map<String, String> env = complete();
        env.put("BUDGETGUARD_LOCAL_KEYS_DIR", "/tmp/keys");

        LedgerSinkConfig config = LedgerSinkConfig.fromEnv(env);

        assertThat(config.keyService().kind()).isEqualTo(KeyServices.Kind.LOCAL);
        assertThat(config.keyService().localDirectory()).isEqualTo(Path.of("/tmp/keys"));
    }

    @Test
    void shouldReportKeyServiceProblemsWithTheOthers() {
        Map<String, String> env = complete();
        env.remove("KAFKA_BOOTSTRAP");
        env.put("BUDGETGUARD_ENV", "production");

        assertThatThrownBy(() -> LedgerSinkConfig.fromEnv(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSizeGreaterThan(1))
                .hasMessageContaining("KAFKA_BOOTSTRAP")
                .hasMessageContaining("VAULT_ADDR");
    }

    @Test
    void shouldTakeTopicAndGroupFromTheEnvironment() {
        Map<String, String> env = complete();
        env.put("LEDGER_TOPIC", "priced-test");
        env.put("LEDGER_CONSUMER_GROUP", "group-test");

        LedgerSinkConfig config = LedgerSinkConfig.fromEnv(env);

        assertThat(config.topic()).isEqualTo("priced-test");
        assertThat(config.consumerGroup()).isEqualTo("group-test");
    }

    @Test
    void shouldTakeTheAuthenticationLimitsFromTheEnvironmentWithIngestsDefaults() {
        assertThat(LedgerSinkConfig.fromEnv(complete()).authLimits()).isEqualTo(AuthLimits.DEFAULTS);
        Map<String, String> env = complete();
        env.put("LEDGER_MAX_CONCURRENT_BCRYPT", "4");
        env.put("LEDGER_AUTH_FAILURES_PER_MIN_PER_KEY", "60");
        env.put("LEDGER_AUTH_FAILURES_PER_MIN_PER_ADDRESS", "20");

        assertThat(LedgerSinkConfig.fromEnv(env).authLimits()).isEqualTo(new AuthLimits(4, 60, 20));

        env.put("LEDGER_AUTH_FAILURES_PER_MIN_PER_ADDRESS", "0");
        env.put("LEDGER_MAX_CONCURRENT_BCRYPT", "65");
        assertThatThrownBy(() -> LedgerSinkConfig.fromEnv(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(2))
                .hasMessageContaining("LEDGER_AUTH_FAILURES_PER_MIN_PER_ADDRESS")
                .hasMessageContaining("LEDGER_MAX_CONCURRENT_BCRYPT");
    }
}
