package io.budgetguard.ledger.sink;

import io.budgetguard.common.http.HttpServers;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger sink: consumes {@code usage.priced.v1} (read_committed, no auto-commit) and appends every event to the
 * hash-chained {@code ledger_entries} exactly once, rows and offsets in one PostgreSQL transaction per poll. Serves
 * {@code /health/live}, {@code /health/ready} (the consumer joined its group and the database answers) and
 * {@code /metrics}.
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
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private LedgerSinkLoop loop;
    private Thread thread;
    private Javalin http;
    private boolean closed;

    public LedgerSinkService(LedgerSinkConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Starts the consumer thread and the HTTP server; returns at once (readiness follows within seconds). */
    public synchronized LedgerSinkService start() {
        if (loop != null) {
            throw new IllegalStateException("The ledger sink is already started");
        }
        PricedUsageMapper mapper = new PricedUsageMapper();
        KafkaConsumer<String, PricedUsage> consumer = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(),
                Topics.USAGE_PRICED.valueSerde(new HttpSchemaRegistry(config.schemaRegistryUrl())).deserializer());
        DatabaseSession database =
                new DatabaseSession(config.databaseUrl(), config.databaseUser(), config.databasePassword());
        SinkOffsets offsets = new SinkOffsets(config.consumerGroup(), config.topic());
        loop = new LedgerSinkLoop(consumer, config.topic(), database, offsets, mapper);
        loop.bind(new SinkMetrics(metrics, loop, mapper));
        try {
            http = HttpServers.create(config.httpHost(), MAX_REQUEST_BYTES, metrics, this::isReady)
                    .start(config.httpHost(), config.port());
        } catch (RuntimeException e) {
            consumer.close();
            database.close();
            loop = null;
            throw e;
        }
        thread = new Thread(loop, "ledger-sink");
        thread.start();
        LOG.info("Ledger sink started: topic {}, group {}, database user {}, HTTP on {}:{}", config.topic(),
                config.consumerGroup(), config.databaseUser(), config.httpHost(), port());
        return this;
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
        metrics.close();
        LOG.info("Ledger sink stopped");
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
