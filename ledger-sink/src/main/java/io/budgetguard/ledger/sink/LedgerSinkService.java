package io.budgetguard.ledger.sink;

import io.budgetguard.common.http.HttpServers;
import io.budgetguard.common.http.Problem;
import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.common.keys.KeyServiceUnavailableException;
import io.budgetguard.common.startup.StartupRetry;
import io.budgetguard.ledger.api.LedgerApi;
import io.budgetguard.ledger.audit.AuditTopics;
import io.budgetguard.ledger.checkpoint.CheckpointPublisher;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.Checkpointer;
import io.budgetguard.ledger.checkpoint.KafkaCheckpointPublisher;
import io.budgetguard.ledger.checkpoint.PublicKeys;
import io.budgetguard.ledger.privacy.TenantDataKeys;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger sink: consumes {@code usage.priced.v1} (read_committed, no auto-commit) and appends every event to the
 * hash-chained {@code ledger_entries} exactly once, rows and offsets in one PostgreSQL transaction per poll; in the
 * same transactions appends budget alerts and control-plane changes to the hash-chained {@code audit_log}; signs
 * checkpoints of every chain through the key service, stores them in {@code ledger_checkpoints} and publishes them to
 * {@code ledger.checkpoints.v1}. Serves {@code GET /v1/ledger/public-keys} (public), {@code GET /v1/ledger} and
 * {@code GET /v1/ledger/checkpoints} (tenant API key, viewer or above, see {@link LedgerApi}), {@code /health/live},
 * {@code /health/ready} (the consumer joined its group and the database answers) and {@code /metrics}.
 *
 * <p>The database must already be migrated ({@code io.budgetguard.infra.db.Migrations}) and the configured user be a
 * member of {@code budgetguard_writer}; the sink never runs migrations, it has no right to.
 *
 * <pre>{@code
 * try (LedgerSinkService sink = new LedgerSinkService(LedgerSinkConfig.fromEnv(System.getenv())).start()) { ... }
 * }</pre>
 */
public final class LedgerSinkService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerSinkService.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_REQUEST_BYTES = 16 * 1024;

    private final LedgerSinkConfig config;
    private final KeyService givenKeys;
    private final Clock clock;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private KeyService keys;
    private CheckpointPublisher publisher;
    private LedgerApi api;
    private LedgerSinkLoop loop;
    private Thread thread;
    private Javalin http;
    private boolean closed;

    /** A sink that opens (and closes) the key service {@code config} selects. */
    public LedgerSinkService(LedgerSinkConfig config) {
        this(config, null, Clock.systemUTC());
    }

    /** A sink that uses {@code keys}, which the caller owns and closes. */
    public LedgerSinkService(LedgerSinkConfig config, KeyService keys) {
        this(config, Objects.requireNonNull(keys, "keys"), Clock.systemUTC());
    }

    LedgerSinkService(LedgerSinkConfig config, KeyService keys, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.givenKeys = keys;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Opens the configured key service (for Vault: logs in), retrying while it is unavailable (Vault restarting,
     * sealed, unreachable) up to {@code LEDGER_STARTUP_TIMEOUT_MS}; a refused credential fails at once. Kafka, the
     * registry and PostgreSQL need no such wait: the sink connects to them lazily and retries on its own.
     */
    private KeyService openKeyService() {
        KeyService[] opened = new KeyService[1];
        new StartupRetry(config.startupTimeout()).run("open the key service",
                failure -> failure instanceof KeyServiceUnavailableException,
                () -> opened[0] = SinkKeys.open(config.keyService()));
        return opened[0];
    }

    /** Starts the consumer thread and the HTTP server; returns at once (readiness follows within seconds). */
    public synchronized LedgerSinkService start() {
        if (loop != null) {
            throw new IllegalStateException("The ledger sink is already started");
        }
        keys = givenKeys != null ? givenKeys : openKeyService();
        KafkaConsumer<String, SpecificRecord> consumer = null;
        DatabaseSession database = null;
        try {
            SinkKeys.prepare(keys);
            SchemaRegistry registry = new HttpSchemaRegistry(config.schemaRegistryUrl());
            publisher = KafkaCheckpointPublisher.create(config.kafkaBootstrap(), config.checkpointTopic(),
                    Topics.LEDGER_CHECKPOINTS.valueSerde(registry).serializer());
            Map<String, Deserializer<? extends SpecificRecord>> decoders = decoders(registry);
            consumer = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(),
                    new TopicValueDeserializer(decoders));
            database = new DatabaseSession(config.databaseUrl(), config.databaseUser(), config.databasePassword());
            Checkpointer checkpointer =
                    new Checkpointer(new CheckpointSigner(keys, clock), config.checkpointPolicy(), clock);
            SinkOffsets offsets = new SinkOffsets(config.consumerGroup());
            PricedUsageMapper mapper = new PricedUsageMapper();
            TenantDataKeys dataKeys = new TenantDataKeys(keys, clock);
            loop = new LedgerSinkLoop(consumer, config.topic(), config.auditTopics(), database, offsets,
                    new LedgerAppender(offsets, checkpointer), mapper, dataKeys,
                    new CheckpointSealer(checkpointer, publisher), publisher);
            loop.bind(new SinkMetrics(metrics, loop, mapper, checkpointer));
            api = LedgerApi.start(apiSettings(registry), dataKeys, clock);
            http = HttpServers.create(config.httpHost(), MAX_REQUEST_BYTES, metrics, this::isReady);
            routes(http, new PublicKeys(keys, clock));
            api.register(http);
            http.start(config.httpHost(), config.port());
        } catch (RuntimeException e) {
            closeQuietly(consumer, database);
            loop = null;
            if (api != null) {
                api.close();
            }
            if (publisher != null) {
                publisher.close();
            }
            if (givenKeys == null) {
                keys.close();
            }
            throw e;
        }
        thread = new Thread(loop, "ledger-sink");
        thread.start();
        LOG.info("Ledger sink started: topic {}, group {}, database user {}, HTTP on {}:{}", config.topic(),
                config.consumerGroup(), config.databaseUser(), config.httpHost(), port());
        return this;
    }

    /** The API follows the control-plane topics the audit trail reads (their standard names unless renamed). */
    private LedgerApi.Settings apiSettings(SchemaRegistry registry) {
        AuditTopics topics = config.auditTopics().enabled() ? config.auditTopics() : AuditTopics.STANDARD;
        return new LedgerApi.Settings(config.kafkaBootstrap(), registry, topics.apiKeys(), topics.tenants(),
                config.databaseUrl(), config.databaseUser(), config.databasePassword(), config.authLimits());
    }

    private Map<String, Deserializer<? extends SpecificRecord>> decoders(SchemaRegistry registry) {
        Map<String, Deserializer<? extends SpecificRecord>> decoders = new HashMap<>();
        decoders.put(config.topic(), Topics.USAGE_PRICED.valueSerde(registry).deserializer());
        AuditTopics audit = config.auditTopics();
        if (audit.enabled()) {
            decoders.put(audit.alerts(), Topics.BUDGET_ALERTS.valueSerde(registry).deserializer());
            decoders.put(audit.tenants(), Topics.CONTROL_TENANTS.valueSerde(registry).deserializer());
            decoders.put(audit.apiKeys(), Topics.CONTROL_APIKEYS.valueSerde(registry).deserializer());
            decoders.put(audit.budgets(), Topics.CONTROL_BUDGETS.valueSerde(registry).deserializer());
            decoders.put(audit.prices(), Topics.CONTROL_PRICES.valueSerde(registry).deserializer());
        }
        return decoders;
    }

    private static void routes(Javalin http, PublicKeys publicKeys) {
        http.get("/v1/ledger/public-keys", ctx -> {
            try {
                ctx.json(publicKeys.body());
            } catch (KeyServiceException e) {
                LOG.warn("Cannot read the checkpoint public keys: {}", e.getMessage());
                HttpServers.problem(ctx, Problem.of(503, "Service Unavailable",
                        "The key service cannot give the public keys right now; retry shortly"));
                ctx.header("Retry-After", "5");
            }
        });
    }

    /** The HTTP port actually bound (useful with port 0). */
    public int port() {
        if (http == null) {
            throw new IllegalStateException("The ledger sink is not started");
        }
        return http.port();
    }

    /** The consumer has joined its group and the database answered last time it was asked. */
    public boolean isReady() {
        LedgerSinkLoop current = loop;
        return current != null && current.isReady();
    }

    public LedgerSinkConfig config() {
        return config;
    }

    /** Lets the batch in progress commit, closes the consumer (leaving the group) and the HTTP server. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed || loop == null) {
            closed = true;
            return;
        }
        closed = true;
        try {
            if (!loop.stop(STOP_TIMEOUT)) {
                LOG.warn("The ledger sink did not stop within {} s", STOP_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.stop();
        api.close();
        publisher.close();
        metrics.close();
        if (givenKeys == null) {
            keys.close();
        }
        LOG.info("Ledger sink stopped");
    }

    private static void closeQuietly(KafkaConsumer<?, ?> consumer, DatabaseSession database) {
        if (consumer != null) {
            consumer.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private Map<String, Object> consumerProperties() {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup(),
                ConsumerConfig.CLIENT_ID_CONFIG, "budgetguard-ledger-sink",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords(),
                // Larger fetches fill a batch in one round trip; one transaction per batch is the sink's unit of cost.
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
    }
}
