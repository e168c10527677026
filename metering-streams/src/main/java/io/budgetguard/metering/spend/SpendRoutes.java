package io.budgetguard.metering.spend;

import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.auth.CachedSecretVerifier;
import io.budgetguard.common.auth.FailedAttemptLimiter;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.common.limits.ClockTimeMeter;
import io.budgetguard.metering.http.Problems;
import io.budgetguard.metering.topology.ControlViews;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Wires {@code GET /v1/spend} into the service in the order start-up allows: the route is registered before the HTTP
 * server starts, this instance's address is known once it is bound, Kafka Streams exists only after that.
 */
public final class SpendRoutes {

    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final ControlViews views;
    private final Duration spendRetention;
    private final Clock clock;
    private final TenantAuthenticator authenticator;
    private volatile StreamsSpendLocator locator;
    private volatile SpendEndpoint endpoint;
    private volatile BooleanSupplier loaded = () -> false;

    /**
     * @param authLimits bcrypt checks at once (keep it low on a 2-core machine: more would starve the stream thread)
     *                   and failed attempts per key id and client address ({@code STREAMS_*} settings)
     */
    public SpendRoutes(ControlViews views, Duration spendRetention, Clock clock, AuthLimits authLimits) {
        this.views = Objects.requireNonNull(views, "views");
        this.spendRetention = Objects.requireNonNull(spendRetention, "spendRetention");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.authenticator = authenticator(views, new SecretHasher()::verify, authLimits, clock);
    }

    /**
     * The route's authenticator: the shared one of {@code common} over this instance's API keys and tenants, with its
     * own failed-attempt limiter. {@code slowCheck} is bcrypt in production; tests pass a cheaper hash.
     */
    public static TenantAuthenticator authenticator(ControlViews views, BiPredicate<String, String> slowCheck,
            AuthLimits limits, Clock clock) {
        return new TenantAuthenticator(views, new CachedSecretVerifier(slowCheck, limits.maxConcurrentBcrypt()),
                new FailedAttemptLimiter(limits, new ClockTimeMeter(clock)), clock);
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
