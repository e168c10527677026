package io.budgetguard.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class MeteringConfigTest {

    private static final Map<String, String> REQUIRED = Map.of(
            "KAFKA_BOOTSTRAP", "localhost:9092",
            "SCHEMA_REGISTRY_URL", "http://localhost:8085/apis/ccompat/v7");

    @Test
    void shouldUseTheDocumentedDefaults() {
        MeteringConfig config = MeteringConfig.fromEnv(REQUIRED);

        assertThat(config.applicationId()).isEqualTo("budgetguard-metering");
        assertThat(config.stateDir()).isEqualTo(Path.of(".budgetguard", "streams-state"));
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(8081);
        assertThat(config.streamThreads()).isEqualTo(2);
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.replicationFactor()).isEqualTo(1);
        assertThat(config.topology().dedupHorizon()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        assertThatThrownBy(() -> MeteringConfig.fromEnv(Map.of("SCHEMA_REGISTRY_URL", "ftp://x", "STREAMS_PORT",
                "http", "STREAMS_NUM_THREADS", "0")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4)
                        .anySatisfy(p -> assertThat(p).startsWith("KAFKA_BOOTSTRAP"))
                        .anySatisfy(p -> assertThat(p).startsWith("SCHEMA_REGISTRY_URL"))
                        .anySatisfy(p -> assertThat(p).startsWith("STREAMS_PORT"))
                        .anySatisfy(p -> assertThat(p).startsWith("STREAMS_NUM_THREADS")));
    }

    @Test
    void shouldConfigureKafkaStreamsForExactlyOnce() {
        Map<String, String> env = new java.util.HashMap<>(REQUIRED);
        env.put("STREAMS_STATE_DIR", "/var/lib/budgetguard/streams");
        env.put("BUDGETGUARD_TOPIC_REPLICATION_FACTOR", "3");
        env.put("STREAMS_COMMIT_INTERVAL_MS", "250");

        Properties props = MeteringConfig.fromEnv(env).streamsProperties();

        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
        assertThat(props.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/budgetguard/streams");
        assertThat(props.get(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(3);
        assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(250L);
        assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("budgetguard-metering");
        // two stream threads share the tasks by default (D39); STREAMS_NUM_THREADS sets another count
        assertThat(props.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(2);
        env.put("STREAMS_NUM_THREADS", "1");
        assertThat(MeteringConfig.fromEnv(env).streamsProperties().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
                .isEqualTo(1);
    }

    @Test
    void shouldReadTheAdvertisedUrlAndTheFailoverTimeouts() {
        Map<String, String> env = new java.util.HashMap<>(REQUIRED);
        env.put("STREAMS_ADVERTISED_URL", "http://metering-1.internal:8081");
        env.put("STREAMS_SESSION_TIMEOUT_MS", "6000");
        env.put("STREAMS_TRANSACTION_TIMEOUT_MS", "5000");

        MeteringConfig config = MeteringConfig.fromEnv(env);
        Properties props = config.streamsProperties();

        assertThat(config.advertisedUrl()).hasToString("http://metering-1.internal:8081");
        assertThat(props.get("consumer.session.timeout.ms")).isEqualTo(6000);
        assertThat(props.get("consumer.heartbeat.interval.ms")).isEqualTo(2000);
        assertThat(props.get("producer.transaction.timeout.ms")).isEqualTo(5000);
        // not Kafka Streams' 100 ms: a commit would flush (and wait for) most of its transaction's records
        assertThat(props.get("producer.linger.ms")).isEqualTo(10);
        // not the producer's 100 ms: a transaction's first sends are retried while the last commit completes (D33)
        assertThat(props.get("producer.retry.backoff.ms")).isEqualTo(20);
        // no task idling: every task reads one partition (MeteringTopologyShapeTest), D34
        assertThat(props.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(-1L);
    }

    @Test
    void shouldRefuseAnAdvertisedUrlThatIsNotHttpHostAndPort() {
        Map<String, String> env = new java.util.HashMap<>(REQUIRED);
        env.put("STREAMS_ADVERTISED_URL", "http://metering-1.internal/v1");

        assertThatThrownBy(() -> MeteringConfig.fromEnv(env))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p).startsWith("STREAMS_ADVERTISED_URL must be http://host:port")));
    }

    @Test
    void shouldReadTheSpendRoutesAuthenticationLimitsNamedAsIngestsAndRefuseBadOnes() {
        assertThat(MeteringConfig.fromEnv(REQUIRED).authLimits()).isEqualTo(AuthLimits.DEFAULTS);
        Map<String, String> env = new HashMap<>(REQUIRED);
        env.put("STREAMS_MAX_CONCURRENT_BCRYPT", "1");
        env.put("STREAMS_AUTH_FAILURES_PER_MIN_PER_KEY", "100");
        env.put("STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS", "5");

        assertThat(MeteringConfig.fromEnv(env).authLimits()).isEqualTo(new AuthLimits(1, 100, 5));

        env.put("STREAMS_AUTH_FAILURES_PER_MIN_PER_KEY", "0");
        env.put("STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS", "lots");
        assertThatThrownBy(() -> MeteringConfig.fromEnv(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(2))
                .hasMessageContaining("STREAMS_AUTH_FAILURES_PER_MIN_PER_KEY")
                .hasMessageContaining("STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS");
    }
}
