package io.budgetguard.ingest;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.config.Env;
import io.budgetguard.common.secrets.Secrets;
import io.budgetguard.ingest.limits.EdgeLimits;
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
 * @param lingerMs           {@code INGEST_LINGER_MS}, default 5: the {@code linger.ms} of the producer of batched usage
 *                           requests (more than {@code UsagePublisher.SMALL_REQUEST_MAX_EVENTS} events) and of the
 *                           admin API's control-plane writes
 * @param smallLingerMs      {@code INGEST_SMALL_LINGER_MS}, default {@value #DEFAULT_SMALL_LINGER_MS}: the
 *                           {@code linger.ms} of the producer of small usage requests (a gateway that sends one event
 *                           per request waits for each); when equal to {@code lingerMs} one producer serves both
 * @param producerBufferBytes {@code INGEST_PRODUCER_BUFFER_BYTES}, default 32 MiB: the producer's
 *                           {@code buffer.memory}, the most unacknowledged data an instance holds; requests are refused
 *                           (503) when it is nearly full rather than queued behind it
 * @param startupTimeout     {@code INGEST_STARTUP_TIMEOUT_MS}, default 60 000: how long {@code start()} keeps retrying
 *                           the schema registration while the registry is unreachable or answers 5xx (then it fails),
 *                           and how long it then waits for the control-plane view to catch up before it returns
 *                           anyway (not ready, answering 503)
 * @param limits             rate limits and authentication limits ({@link EdgeLimits}, each from its own variable)
 * @param trustedProxies     {@code INGEST_TRUSTED_PROXIES}, default none: comma-separated addresses or CIDR ranges of
 *                           reverse proxies whose {@code X-Forwarded-For} is believed; without it the client address
 *                           (for failed-attempt limits) is the TCP peer's
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
        int smallLingerMs,
        long producerBufferBytes,
        Duration startupTimeout,
        EdgeLimits limits,
        List<String> trustedProxies) {

    public static final String SERVICE = "ingest-service";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_LINGER_MS = 5;
    public static final int DEFAULT_SMALL_LINGER_MS = 2;
    public static final long DEFAULT_PRODUCER_BUFFER_BYTES = 32L * 1024 * 1024;
    /** Below this the producer could not hold one full request (1 MiB of events) and its batches. */
    public static final long MIN_PRODUCER_BUFFER_BYTES = 2L * 1024 * 1024;

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
        if (smallLingerMs < 0 || smallLingerMs > 1000) {
            problems.add("smallLingerMs must be between 0 and 1000, was " + smallLingerMs);
        }
        if (producerBufferBytes < MIN_PRODUCER_BUFFER_BYTES) {
            problems.add("producerBufferBytes must be at least " + MIN_PRODUCER_BUFFER_BYTES + ", was " + producerBufferBytes);
        }
        if (startupTimeout == null || startupTimeout.isNegative()) {
            problems.add("startupTimeout must not be negative");
        }
        if (limits == null) {
            problems.add("limits are required");
        }
        for (String proxy : trustedProxies == null ? List.<String>of() : trustedProxies) {
            if (!io.budgetguard.ingest.http.ClientAddresses.isAddressOrRange(proxy)) {
                problems.add("trustedProxies must hold IP addresses or CIDR ranges, not '" + proxy + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(SERVICE, problems);
        }
        httpHost = httpHost == null || httpHost.isBlank() ? DEFAULT_HOST : httpHost;
        environment = environment == null || environment.isBlank() ? "dev" : environment;
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    }

    /** The defaults for everything but the three required settings (dev mode and tests). */
    public static IngestConfig of(String kafkaBootstrap, String schemaRegistryUrl, String adminKeySha256) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, DEFAULT_HOST, DEFAULT_PORT, "dev",
                Duration.ofSeconds(10), DEFAULT_LINGER_MS, DEFAULT_SMALL_LINGER_MS, DEFAULT_PRODUCER_BUFFER_BYTES, Duration.ofSeconds(30), EdgeLimits.DEFAULTS,
                List.of());
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
        int lingerMs = env.integer("INGEST_LINGER_MS", DEFAULT_LINGER_MS, 0, 1000);
        int smallLingerMs = env.integer("INGEST_SMALL_LINGER_MS", DEFAULT_SMALL_LINGER_MS, 0, 1000);
        int bufferBytes = env.integer("INGEST_PRODUCER_BUFFER_BYTES", (int) DEFAULT_PRODUCER_BUFFER_BYTES,
                (int) MIN_PRODUCER_BUFFER_BYTES, Integer.MAX_VALUE);
        int startupTimeoutMs = env.integer("INGEST_STARTUP_TIMEOUT_MS", 60_000, 0, 600_000);
        EdgeLimits defaults = EdgeLimits.DEFAULTS;
        int eventsPerS = env.integer("INGEST_DEFAULT_EVENTS_PER_S", defaults.defaultEventsPerS(), 1, EdgeLimits.MAX_RATE);
        int requestsPerS = env.integer("INGEST_DEFAULT_REQUESTS_PER_S", defaults.defaultRequestsPerS(), 1,
                EdgeLimits.MAX_RATE);
        // INGEST_MAX_CONCURRENT_BCRYPT, INGEST_AUTH_FAILURES_PER_MIN_PER_KEY, INGEST_AUTH_FAILURES_PER_MIN_PER_ADDRESS
        AuthLimits auth = AuthLimits.fromEnv(env, "INGEST");
        List<String> proxies = new ArrayList<>();
        for (String proxy : env.optional("INGEST_TRUSTED_PROXIES", "").split(",")) {
            if (!proxy.isBlank()) {
                proxies.add(proxy.trim());
                if (!io.budgetguard.ingest.http.ClientAddresses.isAddressOrRange(proxy.trim())) {
                    env.problem("INGEST_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges; "
                            + "'" + proxy.trim() + "' is neither");
                }
            }
        }
        env.validate();
        return new IngestConfig(bootstrap, registry, adminKeySha256, host, port, deployment,
                Duration.ofMillis(publishTimeoutMs), lingerMs, smallLingerMs, bufferBytes,
                Duration.ofMillis(startupTimeoutMs), new EdgeLimits(eventsPerS, requestsPerS, auth.maxConcurrentBcrypt(),
                auth.failuresPerMinutePerKey(), auth.failuresPerMinutePerAddress()), proxies);
    }

    public IngestConfig withLinger(int newLingerMs, int newSmallLingerMs) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, newLingerMs, newSmallLingerMs, producerBufferBytes, startupTimeout, limits, trustedProxies);
    }

    public IngestConfig withPort(int newPort) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, newPort, environment,
                publishTimeout, lingerMs, smallLingerMs, producerBufferBytes, startupTimeout, limits, trustedProxies);
    }

    public IngestConfig withKafkaBootstrap(String newBootstrap) {
        return new IngestConfig(newBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, lingerMs, smallLingerMs, producerBufferBytes, startupTimeout, limits, trustedProxies);
    }

    public IngestConfig withStartupTimeout(Duration newStartupTimeout) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, lingerMs, smallLingerMs, producerBufferBytes, newStartupTimeout, limits, trustedProxies);
    }

    public IngestConfig withPublishTimeout(Duration newPublishTimeout) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                newPublishTimeout, lingerMs, smallLingerMs, producerBufferBytes, startupTimeout, limits, trustedProxies);
    }

    public IngestConfig withProducerBufferBytes(long newBufferBytes) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, lingerMs, smallLingerMs, newBufferBytes, startupTimeout, limits, trustedProxies);
    }

    public IngestConfig withLimits(EdgeLimits newLimits) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, lingerMs, smallLingerMs, producerBufferBytes, startupTimeout, newLimits, trustedProxies);
    }

    public IngestConfig withTrustedProxies(List<String> newTrustedProxies) {
        return new IngestConfig(kafkaBootstrap, schemaRegistryUrl, adminKeySha256, httpHost, port, environment,
                publishTimeout, lingerMs, smallLingerMs, producerBufferBytes, startupTimeout, limits, newTrustedProxies);
    }

    /** The settings without secrets: the admin key's hash is masked too, so that no log line carries it. */
    @Override
    public String toString() {
        return "IngestConfig[kafkaBootstrap=" + kafkaBootstrap + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", adminKeySha256=" + Secrets.mask(adminKeySha256) + ", httpHost=" + httpHost + ", port=" + port
                + ", environment=" + environment + ", publishTimeout=" + publishTimeout + ", lingerMs=" + lingerMs
                + ", smallLingerMs=" + smallLingerMs
                + ", producerBufferBytes=" + producerBufferBytes + ", startupTimeout=" + startupTimeout
                + ", limits=" + limits + ", trustedProxies=" + trustedProxies + "]";
    }
}
