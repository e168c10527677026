package io.budgetguard.bench.ingest.jmh;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.CachedSecretVerifier;
import io.budgetguard.common.auth.FailedAttemptLimiter;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.common.limits.ClockTimeMeter;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.limits.EdgeLimits;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The steady-state cost of authenticating a request with an already verified API key: parse the Bearer header, look
 * the key and tenant up in the control-plane view, HMAC the secret and compare it with the cached one. bcrypt (cost
 * 12) runs once, in the set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthBenchmark {

    private TenantAuthenticator authenticator;
    private String authorization;

    @Setup
    public void setUp() {
        ControlPlaneView view = new ControlPlaneView();
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        SecretHasher hasher = new SecretHasher(12);
        PresentedKey key = ApiKeys.generate();
        view.apply(Topics.CONTROL_TENANTS.name(), "bench", Tenant.newBuilder().setTenantId("bench").setName("Bench")
                .setStatus("active").setCreatedAt(created).setUpdatedAt(created).build(), 0, 1);
        view.apply(Topics.CONTROL_APIKEYS.name(), key.keyId(), ApiKey.newBuilder().setKeyId(key.keyId())
                .setTenantId("bench").setRole(Role.DEVELOPER.wireName()).setSecretHash(hasher.hash(key.secret()))
                .setCreatedAt(created).build(), 0, 2);
        view.markCaughtUp();
        Clock clock = Clock.systemUTC();
        authenticator = new TenantAuthenticator(view, new CachedSecretVerifier(hasher::verify, 2),
                new FailedAttemptLimiter(EdgeLimits.DEFAULTS.auth(), new ClockTimeMeter(clock)), clock);
        authorization = "Bearer " + key.token();
        authenticator.authenticate(authorization, "127.0.0.1"); // the one bcrypt
    }

    @Benchmark
    public Principal cachedKey() {
        return authenticator.authenticate(authorization, "127.0.0.1");
    }
}
