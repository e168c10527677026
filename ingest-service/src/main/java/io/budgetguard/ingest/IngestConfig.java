package io.budgetguard.ingest;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.config.Env;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ingest-service's settings.
 *
 * @param kafkaBootstrap     {@code KAFKA_BOOTSTRAP}, required
 * @param schemaRegistryUrl  {@code SCHEMA_REGISTRY_URL}, required (Apicurio: {@code …/apis/ccompat/v7})
 * @param adminKeySha256     {@code BUDGETGUARD_ADMIN_KEY_SHA256}, required: hex SHA-256 of the admin key
 * @param httpHost           {@code HTTP_HOST}, default {@code 127.0.0.1}
 * @param port               {@code INGEST_PORT}, default 8080; 0 = any free port
 * @param environment        {@code BUDGETGUARD_ENV}, default {@code dev}
 * @param publishTimeout     {@code INGEST_PUBLISH_TIMEOUT_MS}, default 10 000: the longest a request waits for Kafka's
 *                           acknowledgements before answering 503 (also the producer's {@code delivery.timeout.ms})
 * @param lingerMs           {@code INGEST_LINGER_MS}, default 5: the producer's {@code linger.ms}
 * @param startupTimeout     {@code INGEST_STARTUP_TIMEOUT_MS}, default 30 000: how long {@code start()} waits for the
 *                           control-plane view to catch up before it returns anyway (not ready, answering 503)
 * @param maxConcurrentBcrypt {@code INGEST_MAX_CONCURRENT_BCRYPT}, default 2: bcrypt verifications at once
 */
public record IngestConfig(
        String kafkaBootstrap,
        String schemaRegistryUrl,
        String adminKeySha256,
        String httpHost,
        int port,
        String environment,
        Duration publishTimeout,
        int lingerMs,
        Duration startupTimeout,
        int maxConcurrentBcrypt) {

    public static final String SERVICE = "ingest-service";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HOST = "127.0.0.1";

    public IngestConfig {
        List<String> problems = new ArrayList<>();
        if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
            problems.add("kafkaBootstrap is required");
        }
        if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
            problems.add("schemaRegistryUrl is required");
        }
        if (!AdminKeyVerifier.isSha256Hex(adminKeySha256)) {
            problems.add("adminKeySha256 must be 64 hex digits (the SHA-256 of the admin key)");
        }
        if (port < 0 || port > 65535) {
            problems.add("port must be between 0 and 65535, was " + port);
        }
        if (publishTimeout == null || publishTimeout.toMillis() < 1000) {
            problems.add("publishTimeout must be at least 1 s");
        }
        if (lingerMs < 0 || lingerMs > 1000) {
            problems.add("lingerMs must be between 0 and 1000, was " + lingerMs);
        }
        if (startupTimeout == null || startupTimeout.isNegative()) {
            problems.add("startupTimeout must not be negative");
        }
        if (maxConcurrentBcrypt < 1) {
            problems.add("maxConcurrentBcrypt must be at least 1");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(SERVICE, problems);
        }
        httpHost = httpHost == null || httpHost.isBlank() ? DEFAULT_HOST : httpHost;
        environment = environment == null || environment.isBlank() ? "dev" : environment;
    }

    /** The defaults for everything but the three required settings (dev mode and tests). */
    public static IngestConfig of(String kafkaBootstrap, String schemaRegistryUrl, String adminKeySha256) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, DEFAULT_HOST, DEFAULT_PORT, "dev",
                Duration.ofSeconds(10), 5, Duration.ofSeconds(30), 2);
    }

    /** Reads the environment, reporting every missing or invalid setting at once ({@link ConfigException}). */
    public static IngestConfig fromEnv(Map<String, String> environment) {
        Env env = new Env(SERVICE, environment);
        String bootstrap = env.required("KAFKA_BOOTSTRAP", "Kafka bootstrap servers, host:port[,host:port]");
        String registry = env.httpUrl("SCHEMA_REGISTRY_URL", "Confluent-compatible schema registry URL");
        String adminKeySha256 = env.required("BUDGETGUARD_ADMIN_KEY_SHA256", "hex SHA-256 of the admin key");
        if (!adminKeySha256.isEmpty() && !AdminKeyVerifier.isSha256Hex(adminKeySha256)) {
            env.problem("BUDGETGUARD_ADMIN_KEY_SHA256 must be 64 hex digits (the SHA-256 of the admin key)");
        }
        String host = env.optional("HTTP_HOST", DEFAULT_HOST);
        int port = env.port("INGEST_PORT", DEFAULT_PORT);
        String deployment = env.optional("BUDGETGUARD_ENV", "dev");
        int publishTimeoutMs = env.integer("INGEST_PUBLISH_TIMEOUT_MS", 10_000, 1000, 120_000);
        int lingerMs = env.integer("INGEST_LINGER_MS", 5, 0, 1000);
        int startupTimeoutMs = env.integer("INGEST_STARTUP_TIMEOUT_MS", 30_000, 0, 600_000);
        int maxBcrypt = env.integer("INGEST_MAX_CONCURRENT_BCRYPT", 2, 1, 64);
        env.validate();
        return new IngestConfig(bootstrap, registry, adminKeySha256, host, port, deployment,
                Duration.ofMillis(publishTimeoutMs), lingerMs, Duration.ofMillis(startupTimeoutMs), maxBcrypt);
    }

    public IngestConfig withPort(int newPort) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, newPort, environment,
                publishTimeout, lingerMs, startupTimeout, maxConcurrentBcrypt);
    }

    public IngestConfig withKafkaBootstrap(String newBootstrap) {
        return new IngestConfig(newBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, lingerMs, startupTimeout, maxConcurrentBcrypt);
    }

    public IngestConfig withStartupTimeout(Duration newStartupTimeout) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, lingerMs, newStartupTimeout, maxConcurrentBcrypt);
    }

    public IngestConfig withPublishTimeout(Duration newPublishTimeout) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                newPublishTimeout, lingerMs, startupTimeout, maxConcurrentBcrypt);
    }
}
