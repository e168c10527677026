package io.budgetguard.metering;

import io.budgetguard.common.http.HttpServers;
import io.budgetguard.common.startup.StartupRetry;
import io.budgetguard.infra.topics.TopicManifest;
import io.budgetguard.infra.topics.TopicManifestException;
import io.budgetguard.metering.spend.SpendRoutes;
import io.budgetguard.metering.topology.ControlViews;
import io.budgetguard.metering.topology.MeteringSerdes;
import io.budgetguard.metering.topology.MeteringTopology;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.serde.SchemaBootstrap;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.serde.SchemaRegistryException;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * metering-streams as a service: the Kafka Streams application (exactly-once v2) plus an HTTP server with
 * {@code GET /v1/spend} (live spend, answered by any instance), {@code /health/live}, {@code /health/ready} (ready while
 * Kafka Streams is RUNNING) and {@code /metrics}.
 *
 * <p>Start-up registers every schema (BACKWARD compatibility) and applies the topic manifest, both idempotent, so
 * the service can start against an empty cluster; both are retried while the registry or the broker is unreachable,
 * up to {@code STREAMS_STARTUP_TIMEOUT_MS}. Local state is kept across restarts (it is never wiped here);
 * Kafka Streams restores what is missing from the changelogs.
 */
public final class MeteringService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeteringService.class);
    private static final long MAX_REQUEST_BYTES = 16 * 1024;

    private final MeteringConfig config;
    private PrometheusMeterRegistry metrics;
    private volatile ControlViews views;
    private KafkaStreamsMetrics streamsMetrics;
    private volatile KafkaStreams streams;
    private Javalin http;
    private volatile boolean everRunning;
    private boolean closed;

    public MeteringService(MeteringConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Starts the HTTP server and Kafka Streams; returns without waiting for RUNNING (see {@link #isReady()}). */
    public synchronized MeteringService start() {
        if (streams != null || http != null) {
            throw new IllegalStateException("metering-streams is already started");
        }
        if (closed) {
            throw new IllegalStateException("metering-streams was closed; create a new instance");
        }
        try {
            SchemaRegistry registry = new HttpSchemaRegistry(config.schemaRegistryUrl());
            // Started together with the broker and the registry (a reboot, a supervisor starting everything), the
            // service waits for them rather than exiting.
            StartupRetry retry = new StartupRetry(config.startupTimeout());
            retry.run("register the schemas with the schema registry",
                    failure -> failure instanceof SchemaRegistryException e && e.isTransient(),
                    () -> SchemaBootstrap.registerAll(registry));
            retry.run("apply the topic manifest",
                    failure -> failure instanceof TopicManifestException e && e.isTransient(),
                    this::applyTopicManifest);
            ControlViews views = ControlViews.empty();
            this.views = views;
            metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // The HTTP server starts first: with STREAMS_PORT=0 its port is known only once bound, and Kafka Streams
            // must be told it (application.server) before it starts.
            http = HttpServers.create(config.httpHost(), MAX_REQUEST_BYTES, metrics, this::isReady);
            SpendRoutes routes = new SpendRoutes(views, config.topology().spendRetention(), Clock.systemUTC(),
                    config.authLimits());
            routes.register(http, this::hasBeenRunning);
            http.start(config.httpPort());
            HostInfo self = advertisedHost(http.port());
            routes.startLocating(self);
            Properties props = config.streamsProperties();
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
            streams = new KafkaStreams(MeteringTopology.build(MeteringSerdes.using(registry), config.topology(), views),
                    props);
            streams.setUncaughtExceptionHandler(failure -> {
                // A failing record is retried by a fresh thread from the last committed transaction; bad records
                // never get here (they are rejected), so this is an outage of the broker or the registry.
                LOG.error("Stream thread failed, replacing it: {}", failure.toString(), failure);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    everRunning = true;
                }
                LOG.info("metering-streams {} -> {}", before, now);
            });
            streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(metrics);
            routes.attach(streams);
            streams.start();
            LOG.info("metering-streams started: application {}, state in {}, HTTP on {}:{}, advertised as {}:{}",
                    config.applicationId(), config.stateDir().toAbsolutePath(), config.httpHost(), http.port(),
                    self.host(), self.port());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code STREAMS_ADVERTISED_URL}, or the bind address with the bound port (a wildcard bind names this host). */
    private HostInfo advertisedHost(int boundPort) {
        if (config.advertisedUrl() != null) {
            return new HostInfo(config.advertisedUrl().getHost(), config.advertisedUrl().getPort());
        }
        String host = config.httpHost();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                throw new IllegalStateException("HTTP_HOST is a wildcard and this host's name cannot be resolved: set "
                        + "STREAMS_ADVERTISED_URL to the http://host:port other instances reach this one at", e);
            }
        }
        return new HostInfo(host, boundPort);
    }

    /** True once Kafka Streams was RUNNING at least once, i.e. its global stores (keys, budgets) were restored. */
    private boolean hasBeenRunning() {
        return everRunning;
    }

    /** True while Kafka Streams is RUNNING (not while it starts, rebalances, restores or stops). */
    public boolean isReady() {
        KafkaStreams current = streams;
        return current != null && current.state() == KafkaStreams.State.RUNNING;
    }

    public KafkaStreams.State state() {
        KafkaStreams current = streams;
        return current == null ? KafkaStreams.State.CREATED : current.state();
    }

    /** The HTTP port actually bound (useful with {@code STREAMS_PORT=0}). */
    public int port() {
        if (http == null) {
            throw new IllegalStateException("metering-streams is not started");
        }
        return http.port();
    }

    public MeteringConfig config() {
        return config;
    }

    /**
     * The control plane as this instance prices and budgets with it: what its global thread has read of the control
     * topics so far (a change reaches it within the control plane's 2 seconds of its write).
     */
    public ControlViews controlViews() {
        ControlViews current = views;
        if (current == null) {
            throw new IllegalStateException("metering-streams is not started");
        }
        return current;
    }

    /** Stops the HTTP server, then Kafka Streams (committing and leaving cleanly within the close timeout). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.stop();
        }
        if (streams != null) {
            // Leaving the group lets a restarted or remaining instance take the partitions over at once instead of
            // after the session timeout.
            boolean clean = streams.close(CloseOptions.timeout(config.closeTimeout())
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            if (!clean) {
                LOG.warn("metering-streams did not stop within {}", config.closeTimeout());
            }
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        LOG.info("metering-streams stopped");
    }

    private void applyTopicManifest() {
        TopicManifest manifest = TopicManifest.load(
                Map.of(TopicManifest.REPLICATION_FACTOR_ENV, String.valueOf(config.replicationFactor())));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap()))) {
            manifest.apply(admin);
        }
    }
}
