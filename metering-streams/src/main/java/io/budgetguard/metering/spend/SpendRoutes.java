package io.budgetguard.metering.spend;

import io.budgetguard.common.auth.CachedSecretVerifier;
import io.budgetguard.metering.access.TenantKeyAuthenticator;
import io.budgetguard.metering.http.Problems;
import io.budgetguard.metering.topology.ControlViews;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Wires {@code GET /v1/spend} into the service in the order start-up allows: the route is registered before the HTTP
 * server starts, this instance's address is known once it is bound, Kafka Streams exists only after that.
 */
public final class SpendRoutes {

    /** bcrypt checks at once (a 2-core machine): more would starve the stream thread. */
    private static final int MAX_CONCURRENT_BCRYPT = 2;
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final ControlViews views;
    private final Duration spendRetention;
    private final Clock clock;
    private final TenantKeyAuthenticator authenticator;
    private volatile StreamsSpendLocator locator;
    private volatile SpendEndpoint endpoint;
    private volatile BooleanSupplier loaded = () -> false;

    public SpendRoutes(ControlViews views, Duration spendRetention, Clock clock) {
        this.views = Objects.requireNonNull(views, "views");
        this.spendRetention = Objects.requireNonNull(spendRetention, "spendRetention");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.authenticator = new TenantKeyAuthenticator(views.apiKeys(), views.tenants(),
                CachedSecretVerifier.bcrypt(MAX_CONCURRENT_BCRYPT), clock);
    }

    /** Registers the route; it answers 503 until {@link #startLocating} and {@code viewsLoaded}. */
    public void register(Javalin app, BooleanSupplier viewsLoaded) {
        Objects.requireNonNull(viewsLoaded, "viewsLoaded");
        this.loaded = viewsLoaded;
        app.get("/v1/spend", this::handle);
    }

    /** Called once the HTTP server is bound: {@code self} is this instance's {@code application.server}. */
    public void startLocating(HostInfo self) {
        String address = self.host() + ":" + self.port();
        StreamsSpendLocator streamsLocator = new StreamsSpendLocator(self);
        locator = streamsLocator;
        endpoint = new SpendEndpoint(authenticator, views.budgets(), streamsLocator,
                new SpendForwarder(address, FORWARD_TIMEOUT), address, clock, spendRetention, loaded);
    }

    public void attach(KafkaStreams streams) {
        StreamsSpendLocator current = locator;
        if (current == null) {
            throw new IllegalStateException("startLocating must come before attach");
        }
        current.attach(streams);
    }

    private void handle(Context ctx) {
        SpendEndpoint current = endpoint;
        if (current == null) {
            throw Problems.unavailable("metering-streams is starting");
        }
        current.handle(ctx);
    }
}
