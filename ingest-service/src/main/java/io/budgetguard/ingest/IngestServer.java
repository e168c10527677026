package io.budgetguard.ingest;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.common.auth.CachedSecretVerifier;
import io.budgetguard.common.auth.FailedAttemptLimiter;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.common.http.HttpServers;
import io.budgetguard.common.limits.ClockTimeMeter;
import io.budgetguard.ingest.admin.AdminApi;
import io.budgetguard.ingest.auth.TenantGate;
import io.budgetguard.ingest.budgets.BudgetEditor;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.estimate.CurrentPrices;
import io.budgetguard.ingest.estimate.EstimateHandler;
import io.budgetguard.ingest.http.ClientAddresses;
import io.budgetguard.ingest.http.DirectRoute;
import io.budgetguard.ingest.http.OpenApiDocument;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.ingest.keys.ApiKeyIssuer;
import io.budgetguard.ingest.limits.TenantRateLimiter;
import io.budgetguard.ingest.selfservice.SelfServiceRoutes;
import io.budgetguard.ingest.status.BudgetStatusHandler;
import io.budgetguard.ingest.usage.UsageHandler;
import io.budgetguard.ingest.usage.UsagePublisher;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.javalin.Javalin;
import io.javalin.router.ParsedEndpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.jetty.server.handler.StatisticsHandler;

/**
 * ingest's HTTP server over collaborators it is given (a producer, a schema registry, a control-plane view), so that
 * tests can run it over {@code MockProducer} and an in-memory registry. {@link IngestService} builds the real ones.
 */
public final class IngestServer implements AutoCloseable {

    private final Javalin app;
    private final TenantAuthenticator authenticator;
    private final String host;
    private final int requestedPort;

    public IngestServer(IngestConfig config, Clock clock, Producer<String, byte[]> producer, SchemaRegistry registry,
            ControlPlaneView view, SecretHasher hasher, PrometheusMeterRegistry metrics) {
        this(config, clock, producer, producer, registry, view, hasher, metrics);
    }

    /**
     * @param smallProducer the producer of usage requests of few events ({@link UsagePublisher#SMALL_REQUEST_MAX_EVENTS}),
     *                      with its own linger; may be {@code producer}
     */
    public IngestServer(IngestConfig config, Clock clock, Producer<String, byte[]> producer,
            Producer<String, byte[]> smallProducer, SchemaRegistry registry, ControlPlaneView view, SecretHasher hasher,
            PrometheusMeterRegistry metrics) {
        this.host = config.httpHost();
        this.requestedPort = config.port();
        ClockTimeMeter time = new ClockTimeMeter(clock);
        this.authenticator = new TenantAuthenticator(view,
                new CachedSecretVerifier(hasher::verify, config.limits().maxConcurrentBcrypt()),
                new FailedAttemptLimiter(config.limits().auth(), time), clock);
        metrics.gauge("budgetguard.ingest.auth.bcrypt.verifications", authenticator,
                TenantAuthenticator::bcryptVerifications);
        ControlPlaneWriter writer = new ControlPlaneWriter(producer, registry, view, config.publishTimeout());
        UsagePublisher publisher = new UsagePublisher(producer, smallProducer, registry, config.publishTimeout());

        app = HttpServers.create(host, RequestBodies.MAX_BODY_BYTES, metrics, view::isCaughtUp);
        TenantGate gate = new TenantGate(view, authenticator,
                new TenantRateLimiter(view, config.limits(), time, metrics), new ClientAddresses(config.trustedProxies()));
        // Graceful stop: Jetty stops accepting, then waits for the requests in flight (counted by the
        // StatisticsHandler, which Javalin nests its servlet context in) before it closes connections.
        long stopTimeoutMs = config.publishTimeout().toMillis() + 1000;
        UsageHandler usage = new UsageHandler(view, gate, publisher, clock, metrics);
        app.unsafeConfig().jetty.modifyServer(server -> {
            // Javalin attaches its servlet context inside the innermost wrapper: statistics → POST /v1/usage → Javalin
            StatisticsHandler statistics = new StatisticsHandler();
            statistics.setHandler(new DirectRoute("POST", "/v1/usage", usage::handleLater));
            server.setHandler(statistics);
            server.setStopTimeout(stopTimeoutMs);
        });
        ApiKeyIssuer keys = new ApiKeyIssuer(view, writer, hasher, authenticator, clock);
        BudgetEditor budgets = new BudgetEditor(view, writer, clock);
        app.post("/v1/usage", usage);
        app.get("/v1/budgets/status", new BudgetStatusHandler(view, gate));
        app.post("/v1/estimate", new EstimateHandler(gate, new CurrentPrices(view), clock));
        new SelfServiceRoutes(gate, view, keys, budgets, clock).register(app);
        AdminApi.register(app, new AdminKeyVerifier(config.adminKeySha256()), view, writer, keys, budgets, clock);
        app.get(OpenApiDocument.PATH, new OpenApiDocument());
    }

    public IngestServer start() {
        app.start(host, requestedPort);
        return this;
    }

    /** Every route the server answers, as {@code "METHOD /path"} ({@code {name}} for path parameters), sorted. */
    public List<String> routes() {
        return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
                .map(ParsedEndpoint::getEndpoint)
                .filter(endpoint -> endpoint.getMethod().isHttpMethod())
                .map(endpoint -> endpoint.getMethod().name() + " " + endpoint.getPath())
                .sorted()
                .toList();
    }

    /** The port the server listens on (the chosen one when configured with 0). */
    public int port() {
        return app.port();
    }

    public TenantAuthenticator authenticator() {
        return authenticator;
    }

    /**
     * Stops accepting connections and lets requests in flight finish (Jetty's graceful stop; it also waits, about a
     * second, for idle keep-alive connections to close).
     */
    @Override
    public void close() {
        app.stop();
    }

    /** Stops at once, abandoning requests in flight (tests). */
    public void closeImmediately() {
        app.jettyServer().server().setStopTimeout(0);
        app.stop();
    }
}
