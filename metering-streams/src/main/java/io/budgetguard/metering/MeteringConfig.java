package io.budgetguard.metering;

import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.config.Env;
import io.budgetguard.infra.topics.TopicManifest;
import io.budgetguard.metering.topology.MeteringTopologyConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of metering-streams.
 *
 * @param kafkaBootstrap    {@code KAFKA_BOOTSTRAP}, required
 * @param schemaRegistryUrl {@code SCHEMA_REGISTRY_URL}, required: Confluent-compatible registry base URL
 * @param applicationId     {@code STREAMS_APPLICATION_ID}, default {@code budgetguard-metering}: consumer group and
 *                          prefix of the internal topics
 * @param stateDir          {@code STREAMS_STATE_DIR}, default {@code .budgetguard/streams-state}
 * @param httpHost          {@code HTTP_HOST}, default {@code 127.0.0.1}
 * @param httpPort          {@code STREAMS_PORT}, default 8081; 0 = any free port
 * @param streamThreads     {@code STREAMS_NUM_THREADS}, default 2 (D39): the tasks (one per partition of
 *                          {@code usage.events.v1}) are shared among them; more threads than partitions idle
 * @param commitInterval    {@code STREAMS_COMMIT_INTERVAL_MS}, default 100 ms: exactly-once transaction length, so
 *                          also the floor of the event-to-alert latency
 * @param replicationFactor {@code BUDGETGUARD_TOPIC_REPLICATION_FACTOR}, default 1: internal topics (changelogs) and
 *                          topics created from the manifest
 * @param closeTimeout      how long {@link MeteringService#close()} waits for a clean shutdown (default 30 s)
 * @param advertisedUrl     {@code STREAMS_ADVERTISED_URL}, {@code http://host:port} other instances use to forward
 *                          {@code GET /v1/spend} here ({@code application.server}); null = {@code HTTP_HOST} and the
 *                          bound port, which suits one machine; set it when instances run on several hosts
 * @param sessionTimeout    {@code STREAMS_SESSION_TIMEOUT_MS}, default 45 s (Kafka's): how long a crashed instance
 *                          keeps its partitions before the group hands them to the others
 * @param transactionTimeout {@code STREAMS_TRANSACTION_TIMEOUT_MS}, default 10 s (Kafka Streams' under exactly-once):
 *                          how long a crashed instance's open transaction blocks its partitions' new owner at most
 * @param startupTimeout    {@code STREAMS_STARTUP_TIMEOUT_MS}, default 120 s: how long {@code start()} keeps retrying the
 *                          schema registration and the topic manifest while the registry or the broker is unreachable
 *                          (restarting, still starting) before it fails; 0 = one attempt
 * @param topology          topology tuning; {@code STREAMS_DEDUP_HORIZON_HOURS} (default 168) sets its dedup horizon,
 *                          {@code STREAMS_OUTPUT_INTERVAL_MS} (default 1000) how often changed spend snapshots and
 *                          statuses are emitted
 * @param authLimits        {@code GET /v1/spend}'s authentication limits, named as ingest's:
 *                          {@code STREAMS_MAX_CONCURRENT_BCRYPT} (default 2), {@code STREAMS_AUTH_FAILURES_PER_MIN_PER_KEY}
 *                          (30) and {@code STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS} (10): 429 with {@code Retry-After}
 *                          beyond them
 */
public record MeteringConfig(
        String kafkaBootstrap,
        String schemaRegistryUrl,
        String applicationId,
        Path stateDir,
        String httpHost,
        int httpPort,
        int streamThreads,
        Duration commitInterval,
        int replicationFactor,
        Duration closeTimeout,
        URI advertisedUrl,
        Duration sessionTimeout,
        Duration transactionTimeout,
        Duration startupTimeout,
        MeteringTopologyConfig topology,
        AuthLimits authLimits) {

    public static final String DEFAULT_APPLICATION_ID = "budgetguard-metering";
    public static final Path DEFAULT_STATE_DIR = Path.of(".budgetguard", "streams-state");
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    /**
     * One stream thread computes on one core and waits on every commit: with one, a 2-core instance left a core partly
     * idle while the thread was saturated; two processed ~30 % more events per second (D39).
     */
    public static final int DEFAULT_STREAM_THREADS = 2;
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);
    /** The stream threads' producer linger (docs/PERFORMANCE.md, Streams, session 10). */
    static final int PRODUCER_LINGER_MS = 10;
    /** The stream threads' producer retry back-off (D33): transactions v2 answers a transaction's first sends with
     * retriable errors while the previous commit's markers are written. */
    static final int PRODUCER_RETRY_BACKOFF_MS = 20;

    public MeteringConfig {
        Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(httpHost, "httpHost");
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(transactionTimeout, "transactionTimeout");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative()) {
            throw new IllegalArgumentException("startupTimeout must not be negative, was " + startupTimeout);
        }
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(authLimits, "authLimits");
        if (advertisedUrl != null) {
            advertisedProblem(advertisedUrl.toString()).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("httpPort must be between 0 and 65535, was " + httpPort);
        }
        if (streamThreads < 1) {
            throw new IllegalArgumentException("streamThreads must be at least 1, was " + streamThreads);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1, was " + replicationFactor);
        }
    }

    /** Every default, for the given broker and registry (dev mode and tests start from here). */
    public static MeteringConfig defaults(String kafkaBootstrap, String schemaRegistryUrl) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, DEFAULT_APPLICATION_ID, DEFAULT_STATE_DIR,
                DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, DEFAULT_STREAM_THREADS, DEFAULT_COMMIT_INTERVAL, 1,
                DEFAULT_CLOSE_TIMEOUT, null, DEFAULT_SESSION_TIMEOUT, DEFAULT_TRANSACTION_TIMEOUT,
                DEFAULT_STARTUP_TIMEOUT, MeteringTopologyConfig.defaults(), AuthLimits.DEFAULTS);
    }

    /** Reads the settings from environment variables; throws a ConfigException naming every problem at once. */
    public static MeteringConfig fromEnv(Map<String, String> environment) {
        Env env = new Env("metering-streams", environment);
        String bootstrap = env.required("KAFKA_BOOTSTRAP", "Kafka bootstrap servers, host:port[,host:port]");
        String registry = env.httpUrl("SCHEMA_REGISTRY_URL", "Confluent-compatible schema registry base URL");
        String applicationId = env.optional("STREAMS_APPLICATION_ID", DEFAULT_APPLICATION_ID);
        if (!applicationId.matches("[A-Za-z0-9._-]{1,200}")) {
            env.problem("STREAMS_APPLICATION_ID may only contain letters, digits, '.', '_' and '-', was '"
                    + applicationId + "'");
        }
        Path stateDir = Path.of(env.optional("STREAMS_STATE_DIR", DEFAULT_STATE_DIR.toString()));
        String host = env.optional("HTTP_HOST", DEFAULT_HTTP_HOST);
        int port = env.port("STREAMS_PORT", DEFAULT_HTTP_PORT);
        int threads = env.integer("STREAMS_NUM_THREADS", DEFAULT_STREAM_THREADS, 1, 64);
        Duration commitInterval = env.millis("STREAMS_COMMIT_INTERVAL_MS", DEFAULT_COMMIT_INTERVAL);
        int replicationFactor = env.integer(TopicManifest.REPLICATION_FACTOR_ENV, 1, 1, Short.MAX_VALUE);
        int dedupHours = env.integer("STREAMS_DEDUP_HORIZON_HOURS",
                (int) MeteringTopologyConfig.DEFAULT_DEDUP_HORIZON.toHours(), 1, 24 * 366);
        String advertised = env.optional("STREAMS_ADVERTISED_URL", null);
        if (advertised != null) {
            advertisedProblem(advertised).ifPresent(env::problem);
        }
        Duration sessionTimeout = env.millis("STREAMS_SESSION_TIMEOUT_MS", DEFAULT_SESSION_TIMEOUT);
        Duration transactionTimeout = env.millis("STREAMS_TRANSACTION_TIMEOUT_MS", DEFAULT_TRANSACTION_TIMEOUT);
        if (transactionTimeout.compareTo(commitInterval) < 0) {
            env.problem("STREAMS_TRANSACTION_TIMEOUT_MS (" + transactionTimeout.toMillis()
                    + ") must not be shorter than STREAMS_COMMIT_INTERVAL_MS (" + commitInterval.toMillis() + ")");
        }
        Duration outputInterval = env.millis("STREAMS_OUTPUT_INTERVAL_MS", MeteringTopologyConfig.DEFAULT_OUTPUT_INTERVAL);
        Duration startupTimeout = Duration.ofMillis(env.integer("STREAMS_STARTUP_TIMEOUT_MS",
                (int) DEFAULT_STARTUP_TIMEOUT.toMillis(), 0, 3_600_000));
        // STREAMS_MAX_CONCURRENT_BCRYPT, STREAMS_AUTH_FAILURES_PER_MIN_PER_KEY, STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS
        AuthLimits authLimits = AuthLimits.fromEnv(env, "STREAMS");
        env.validate();
        return new MeteringConfig(bootstrap, registry, applicationId, stateDir, host, port, threads, commitInterval,
                replicationFactor, DEFAULT_CLOSE_TIMEOUT, advertised == null ? null : URI.create(advertised),
                sessionTimeout, transactionTimeout, startupTimeout, MeteringTopologyConfig.defaults()
                        .withDedupHorizon(Duration.ofHours(dedupHours)).withOutputInterval(outputInterval),
                authLimits);
    }

    /** Why {@code url} cannot be an advertised URL ({@code http://host:port}, nothing else), or empty when it can. */
    private static Optional<String> advertisedProblem(String url) {
        String problem = "STREAMS_ADVERTISED_URL must be http://host:port (how other instances reach this one), was '"
                + url + "'";
        try {
            URI uri = new URI(url);
            boolean plain = (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))
                    && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null;
            return "http".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0 && plain
                    ? Optional.empty() : Optional.of(problem);
        } catch (URISyntaxException e) {
            return Optional.of(problem);
        }
    }

    public MeteringConfig withApplicationId(String id) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, id, stateDir, httpHost, httpPort, streamThreads,
                commitInterval, replicationFactor, closeTimeout, advertisedUrl, sessionTimeout, transactionTimeout,
                startupTimeout, topology, authLimits);
    }

    public MeteringConfig withStateDir(Path dir) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, applicationId, dir, httpHost, httpPort,
                streamThreads, commitInterval, replicationFactor, closeTimeout, advertisedUrl, sessionTimeout,
                transactionTimeout, startupTimeout, topology, authLimits);
    }

    public MeteringConfig withHttpPort(int port) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, applicationId, stateDir, httpHost, port,
                streamThreads, commitInterval, replicationFactor, closeTimeout, advertisedUrl, sessionTimeout,
                transactionTimeout, startupTimeout, topology, authLimits);
    }

    public MeteringConfig withTopology(MeteringTopologyConfig tuning) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                streamThreads, commitInterval, replicationFactor, closeTimeout, advertisedUrl, sessionTimeout,
                transactionTimeout, startupTimeout, tuning, authLimits);
    }

    public MeteringConfig withCommitInterval(Duration interval) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                streamThreads, interval, replicationFactor, closeTimeout, advertisedUrl, sessionTimeout,
                transactionTimeout, startupTimeout, topology, authLimits);
    }

    /** With a shorter (tests) or longer failure detection and zombie-transaction timeout. */
    public MeteringConfig withTimeouts(Duration session, Duration transaction) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                streamThreads, commitInterval, replicationFactor, closeTimeout, advertisedUrl, session, transaction,
                startupTimeout, topology, authLimits);
    }

    /** With other limits on {@code GET /v1/spend}'s authentication (bcrypt at once, failed attempts per key and address). */
    public MeteringConfig withAuthLimits(AuthLimits limits) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                streamThreads, commitInterval, replicationFactor, closeTimeout, advertisedUrl, sessionTimeout,
                transactionTimeout, startupTimeout, topology, limits);
    }

    /** The Kafka Streams settings: exactly-once v2, this state directory, replication factor and commit interval. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) sessionTimeout.toMillis());
        // Kafka's 3 s heartbeat, or a third of a shorter session timeout (Kafka's rule: at most a third)
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                (int) Math.max(500, Math.min(3000, sessionTimeout.toMillis() / 3)));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) transactionTimeout.toMillis());
        // Kafka Streams lingers 100 ms, as long as our commit interval: a transaction's records then go out only when
        // the commit flushes, and the stream thread waits for them while events (and alerts) queue behind it
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), PRODUCER_LINGER_MS);
        // With transactions v2 the first sends of a transaction can meet CONCURRENT_TRANSACTIONS (the last commit's
        // markers are still being written) and then OUT_OF_ORDER_SEQUENCE_NUMBER for the batches behind them; both are
        // retried, after 100 ms by default, while the commit's flush holds the stream thread (D33)
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), PRODUCER_RETRY_BACKOFF_MS);
        // Every task of the metering topology reads one partition (the control topics feed global stores), so task
        // idling has nothing to synchronise; disabling it skips Kafka Streams' per-loop readiness check, which formats
        // a log message each time a task's buffer is empty (4–8 % of the stream thread; D34). MeteringTopologyShapeTest
        // keeps the one-source premise true.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        // Kafka 5 default: errors in the global (control-plane) processors go through the processing handler too.
        props.put("processing.exception.handler.global.enabled", true);
        return props;
    }

    public MeteringConfig withStartupTimeout(Duration timeout) {
        return new MeteringConfig(kafkaBootstrap, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                streamThreads, commitInterval, replicationFactor, closeTimeout, advertisedUrl, sessionTimeout,
                transactionTimeout, timeout, topology, authLimits);
    }
}
