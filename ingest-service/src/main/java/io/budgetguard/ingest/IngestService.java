package io.budgetguard.ingest;

import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.common.startup.StartupRetry;
import io.budgetguard.ingest.control.ControlPlaneReader;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.estimate.TokenCounter;
import io.budgetguard.ingest.usage.UsagePublisher;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.serde.SchemaBootstrap;
import io.budgetguard.schemas.serde.SchemaRegistryException;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ingest-service: registers the schemas, follows the control plane, and serves {@code POST /v1/usage}, the admin API
 * and {@code GET /v1/budgets/status}. It creates no topics (the infra manifest does). Stateless: any number of
 * instances may run side by side.
 *
 * <pre>{@code
 * try (IngestService ingest = new IngestService(IngestConfig.fromEnv(System.getenv()), Clock.systemUTC())) {
 *     ingest.start();             // returns once the control-plane view caught up (or startupTimeout passed)
 *     int port = ingest.port();
 * }
 * }</pre>
 */
public final class IngestService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    private final IngestConfig config;
    private final Clock clock;
    private final ControlPlaneView view = new ControlPlaneView();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Producer<String, byte[]> producer;
    /** The producer of small usage requests; {@code producer} itself when both lingers are equal. */
    private Producer<String, byte[]> smallProducer;
    private KafkaClientMetrics smallProducerMetrics;
    private ControlPlaneReader reader;
    private KafkaClientMetrics producerMetrics;
    private IngestServer server;

    public IngestService(IngestConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Registers the schemas (idempotent; retried while the registry is unreachable, up to {@code startupTimeout}),
     * connects to Kafka, starts following the control plane and the HTTP server,
     * and waits up to {@code startupTimeout} for the view to catch up; if it does not, the service stays up but
     * unready ({@code /health/ready} 503, requests 503) until it does.
     *
     * @throws SchemaRegistryException when the registry refuses a schema, or cannot be reached within
     *                                 {@code startupTimeout}
     */
    public synchronized IngestService start() {
        if (server != null) {
            throw new IllegalStateException("ingest-service is already started");
        }
        Instant started = clock.instant();
        HttpSchemaRegistry registry = new HttpSchemaRegistry(config.schemaRegistryUrl());
        new StartupRetry(config.startupTimeout()).run("register the schemas with the schema registry",
                failure -> failure instanceof SchemaRegistryException e && e.isTransient(),
                () -> SchemaBootstrap.registerAll(registry));
        try {
            producer = new KafkaProducer<>(UsagePublisher.producerConfig(
                    config.kafkaBootstrap(), config.lingerMs(), config.publishTimeout(), config.producerBufferBytes()));
            // the producer's own metrics on /metrics: buffer use, request latency, errors (kafka_producer_*)
            producerMetrics = new KafkaClientMetrics(producer);
            producerMetrics.bindTo(metrics);
            if (config.smallLingerMs() == config.lingerMs()) {
                smallProducer = producer;
            } else {
                smallProducer = new KafkaProducer<>(UsagePublisher.smallProducerConfig(config.kafkaBootstrap(),
                        config.smallLingerMs(), config.publishTimeout(), config.producerBufferBytes()));
                smallProducerMetrics = new KafkaClientMetrics(smallProducer);
                smallProducerMetrics.bindTo(metrics);
            }
            reader = new ControlPlaneReader(new KafkaConsumer<>(ControlPlaneReader.consumerConfig(config.kafkaBootstrap())),
                    registry, view);
            reader.start();
            server = new IngestServer(config, clock, producer, smallProducer, registry, view, new SecretHasher(), metrics)
                    .start();
            TokenCounter.warmUpInBackground();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        awaitCaughtUp();
        LOG.info("ingest-service listening on http://{}:{} (env {}, ready: {}, started in {} ms)", config.httpHost(),
                server.port(), config.environment(), view.isCaughtUp(),
                Duration.between(started, clock.instant()).toMillis());
        return this;
    }

    /** The HTTP port (the chosen one when configured with 0). */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("ingest-service is not started");
        }
        return server.port();
    }

    /** True once the control-plane view caught up: what {@code /health/ready} reports. */
    public boolean isReady() {
        return view.isCaughtUp();
    }

    public IngestConfig config() {
        return config;
    }

    /** Stops accepting requests, lets those in flight finish, flushes the producer, stops the view. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (producerMetrics != null) {
            producerMetrics.close();
            producerMetrics = null;
        }
        if (smallProducerMetrics != null) {
            smallProducerMetrics.close();
            smallProducerMetrics = null;
        }
        if (smallProducer != null && smallProducer != producer) {
            smallProducer.close(config.publishTimeout());
        }
        smallProducer = null;
        if (producer != null) {
            producer.close(config.publishTimeout());
            producer = null;
        }
        if (reader != null) {
            reader.close();
            reader = null;
        }
        metrics.close();
    }

    private void awaitCaughtUp() {
        try {
            view.awaitCaughtUp(config.startupTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!view.isCaughtUp()) {
            LOG.warn("The control-plane view has not caught up after {} s; serving 503 until it does",
                    config.startupTimeout().toSeconds());
        }
    }
}
