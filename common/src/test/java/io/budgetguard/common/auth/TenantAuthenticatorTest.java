package io.budgetguard.common.auth;

import static io.budgetguard.common.testing.InMemoryKeyDirectory.FAST_HASHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.config.Env;
import io.budgetguard.common.http.ProblemException;
import io.budgetguard.common.limits.ClockTimeMeter;
import io.budgetguard.common.testing.InMemoryKeyDirectory;
import io.budgetguard.common.testing.MutableClock;
import io.budgetguard.schemas.control.ApiKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TenantAuthenticatorTest {

    private static final String ADDRESS = "127.0.0.1";

    private static FailedAttemptLimiter limiter() {
        return new FailedAttemptLimiter(AuthLimits.DEFAULTS.withFailuresPerMinute(1000, 1000),
                new ClockTimeMeter(Clock.systemUTC()));
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-15T12:00:00Z"));
    private final InMemoryKeyDirectory fixtures = new InMemoryKeyDirectory();
    private final InMemoryKeyDirectory view = fixtures;
    private final AtomicInteger bcryptCalls = new AtomicInteger();
    private final TenantAuthenticator authenticator = new TenantAuthenticator(view,
            new CachedSecretVerifier((secret, hash) -> {
                bcryptCalls.incrementAndGet();
                return FAST_HASHER.verify(secret, hash);
            }, 2), limiter(), clock);
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private static String bearer(PresentedKey key) {
        return "Bearer " + key.token();
    }

    private ProblemException refusal(String authorization) {
        return catchThrowableOfType(ProblemException.class, () -> authenticator.authenticate(authorization, ADDRESS));
    }

    @Test
    void shouldAuthenticateAKnownKeyAsItsTenantAndRole() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);

        Principal principal = authenticator.authenticate(bearer(key), ADDRESS);

        assertThat(principal).isEqualTo(new Principal("acme", key.keyId(), Role.DEVELOPER));
    }

    @Test
    void shouldRunBcryptOnceForRepeatedRequests() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);

        for (int i = 0; i < 50; i++) {
            authenticator.authenticate(bearer(key), ADDRESS);
        }

        assertThat(bcryptCalls).hasValue(1);
        assertThat(authenticator.bcryptVerifications()).isEqualTo(1);
    }

    @Test
    void shouldShareOneBcryptBetweenConcurrentFirstRequests() throws Exception {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Principal>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return authenticator.authenticate(bearer(key), ADDRESS);
            }));
        }

        start.countDown();
        for (Future<Principal> result : results) {
            assertThat(result.get(10, TimeUnit.SECONDS).keyId()).isEqualTo(key.keyId());
        }
        // each thread either joined the verification in flight or found it cached
        assertThat(bcryptCalls.get()).isBetween(1, 2);
    }

    @Test
    void shouldNeedNoBcryptForAKeyThisProcessRemembered() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.VIEWER);
        authenticator.remember(key.keyId(), key.secret(), view.apiKeyOrNull(key.keyId()).getSecretHash());

        authenticator.authenticate(bearer(key), ADDRESS);

        assertThat(bcryptCalls).hasValue(0);
    }

    @Test
    void shouldRefuseAWrongSecretAndRememberTheFailure() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        PresentedKey wrong = new PresentedKey(key.keyId(), ApiKeys.generate().secret());

        assertThat(refusal(bearer(wrong)).problem().status()).isEqualTo(401);
        assertThat(refusal(bearer(wrong)).problem().status()).isEqualTo(401);
        assertThat(bcryptCalls).hasValue(1);
    }

    @Test
    void shouldNotLetACachedSecretStandInForAnother() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        authenticator.authenticate(bearer(key), ADDRESS);

        ProblemException refused = refusal(bearer(new PresentedKey(key.keyId(), ApiKeys.generate().secret())));

        assertThat(refused.problem().status()).isEqualTo(401);
    }

    @Test
    void shouldRefuseARevokedKeyEvenWhenCached() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        authenticator.authenticate(bearer(key), ADDRESS);

        fixtures.revoke(key);

        assertThat(refusal(bearer(key)).problem().status()).isEqualTo(401);
    }

    @Test
    void shouldAcceptARotatedKeyUntilItsRevokedAtThenRefuseItEvenWhenCached() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        authenticator.authenticate(bearer(key), ADDRESS);
        ApiKey expiring = ApiKey.newBuilder(view.apiKeyOrNull(key.keyId()))
                .setRevokedAt(clock.instant().plusSeconds(60)).build();
        view.put(expiring);

        clock.advance(Duration.ofSeconds(59));
        assertThat(authenticator.authenticate(bearer(key), ADDRESS).keyId()).isEqualTo(key.keyId());

        clock.advance(Duration.ofSeconds(1));
        assertThat(refusal(bearer(key)).problem().status()).isEqualTo(401);
    }

    @Test
    void shouldRefuseKeysOfASuspendedTenantEvenWhenCached() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        authenticator.authenticate(bearer(key), ADDRESS);

        fixtures.tenant("acme", "suspended");

        assertThat(refusal(bearer(key)).problem().status()).isEqualTo(401);
    }

    @Test
    void shouldRefuseKeysOfAnUnknownTenant() {
        PresentedKey key = fixtures.key("ghost", Role.DEVELOPER);

        assertThat(refusal(bearer(key)).problem().status()).isEqualTo(401);
        assertThat(bcryptCalls).hasValue(0);
    }

    @Test
    void shouldRefuseUnknownKeysWithoutBcrypt() {
        ProblemException refused = refusal(bearer(ApiKeys.generate()));

        assertThat(refused.problem().status()).isEqualTo(401);
        assertThat(refused.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"budgetguard\", error=\"invalid_token\"");
        assertThat(bcryptCalls).hasValue(0);
    }

    @Test
    void shouldChallengeAMissingOrNonBearerHeader() {
        for (String header : new String[] {null, "", "Basic dXNlcjpwYXNz", "Bearer"}) {
            ProblemException refused = refusal(header);
            assertThat(refused.problem().status()).isEqualTo(401);
            assertThat(refused.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"budgetguard\"");
        }
    }

    @Test
    void shouldRefuseMalformedKeysWithoutEchoingThem() {
        ProblemException refused = refusal("Bearer bg_not-a-key.secret-part-here");

        assertThat(refused.problem().status()).isEqualTo(401);
        assertThat(refused.problem().detail()).doesNotContain("secret-part-here");
    }

    @Test
    void shouldAcceptTheSchemeInAnyCase() {
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);

        assertThat(authenticator.authenticate("bearer " + key.token(), ADDRESS).tenantId()).isEqualTo("acme");
    }

    @Test
    void shouldAnswer503AtOnceWhenEveryBcryptPermitIsBusy() throws Exception {
        fixtures.tenant("acme", "active");
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        TenantAuthenticator slow = new TenantAuthenticator(view, new CachedSecretVerifier((secret, hash) -> {
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FAST_HASHER.verify(secret, hash);
        }, 2), limiter(), clock);
        PresentedKey first = fixtures.key("acme", Role.DEVELOPER);
        PresentedKey second = fixtures.key("acme", Role.DEVELOPER);
        Future<Principal> a = pool.submit(() -> slow.authenticate(bearer(first), ADDRESS));
        Future<Principal> b = pool.submit(() -> slow.authenticate(bearer(second), ADDRESS));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        PresentedKey third = fixtures.key("acme", Role.DEVELOPER);
        ProblemException busy = catchThrowableOfType(ProblemException.class, () -> slow.authenticate(bearer(third), ADDRESS));

        assertThat(busy.problem().status()).isEqualTo(503);
        assertThat(busy.headers()).containsKey("Retry-After");
        release.countDown();
        assertThat(a.get(10, TimeUnit.SECONDS).keyId()).isEqualTo(first.keyId());
        assertThat(b.get(10, TimeUnit.SECONDS).keyId()).isEqualTo(second.keyId());
        assertThat(slow.authenticate(bearer(third), ADDRESS).keyId()).isEqualTo(third.keyId());
    }

    @Test
    void shouldRefuseARoleBelowTheRequiredOne() {
        ProblemException refused = catchThrowableOfType(ProblemException.class,
                () -> new Principal("acme", "k0123456789abcde", Role.VIEWER).require(Role.DEVELOPER));

        assertThat(refused.problem().status()).isEqualTo(403);
    }

    @Test
    void shouldAllowTheRequiredRoleAndAbove() {
        new Principal("acme", "k0123456789abcde", Role.DEVELOPER).require(Role.DEVELOPER);
        new Principal("acme", "k0123456789abcde", Role.OWNER).require(Role.DEVELOPER);
    }

    /** An authenticator whose limiter allows 3 unverified attempts per address and 5 per key id per minute. */
    private TenantAuthenticator tight() {
        return new TenantAuthenticator(view, new CachedSecretVerifier((secret, hash) -> {
            bcryptCalls.incrementAndGet();
            return FAST_HASHER.verify(secret, hash);
        }, 2), new FailedAttemptLimiter(AuthLimits.DEFAULTS.withFailuresPerMinute(5, 3), new ClockTimeMeter(clock)),
                clock);
    }

    private static int status(TenantAuthenticator authenticator, String authorization, String address) {
        try {
            authenticator.authenticate(authorization, address);
            return 200;
        } catch (ProblemException e) {
            return e.problem().status();
        }
    }

    @Test
    void shouldAnswer429WithRetryAfterOnceAnAddressSpentItsAllowanceOnWrongSecretsBeforeAnyMoreBcrypt() {
        TenantAuthenticator tight = tight();
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        for (int i = 0; i < 3; i++) {
            assertThat(status(tight, bearer(new PresentedKey(key.keyId(), ApiKeys.generate().secret())), "203.0.113.5"))
                    .isEqualTo(401);
        }

        ProblemException throttled = catchThrowableOfType(ProblemException.class, () -> tight.authenticate(
                bearer(new PresentedKey(key.keyId(), ApiKeys.generate().secret())), "203.0.113.5"));

        assertThat(throttled.problem().status()).isEqualTo(429);
        assertThat(throttled.headers()).containsEntry("Retry-After", "20");
        assertThat(bcryptCalls).hasValue(3);
        // the right secret from another address is verified; from then on it is cached, even from the throttled one
        assertThat(status(tight, bearer(key), "198.51.100.7")).isEqualTo(200);
        assertThat(status(tight, bearer(key), "203.0.113.5")).isEqualTo(200);
        clock.advance(Duration.ofSeconds(20));
        assertThat(status(tight, bearer(new PresentedKey(key.keyId(), ApiKeys.generate().secret())), "203.0.113.5"))
                .isEqualTo(401);
    }

    @Test
    void shouldLimitRandomKeyIdsPerAddressWithoutBcrypt() {
        TenantAuthenticator tight = tight();
        for (int i = 0; i < 3; i++) {
            assertThat(status(tight, bearer(ApiKeys.generate()), "203.0.113.5")).isEqualTo(401);
        }

        assertThat(status(tight, bearer(ApiKeys.generate()), "203.0.113.5")).isEqualTo(429);
        assertThat(status(tight, bearer(ApiKeys.generate()), "198.51.100.7")).isEqualTo(401);
        assertThat(bcryptCalls).hasValue(0);
    }

    @Test
    void shouldLimitWrongSecretsPerKeyIdAcrossAddressesButNotItsVerifiedSecret() {
        TenantAuthenticator tight = tight();
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.DEVELOPER);
        assertThat(status(tight, bearer(key), "192.0.2.1")).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(status(tight, bearer(new PresentedKey(key.keyId(), ApiKeys.generate().secret())),
                    "198.51.100." + i)).isEqualTo(401);
        }

        ProblemException throttled = catchThrowableOfType(ProblemException.class, () -> tight.authenticate(
                bearer(new PresentedKey(key.keyId(), ApiKeys.generate().secret())), "198.51.100.99"));

        assertThat(throttled.problem().status()).isEqualTo(429);
        assertThat(throttled.problem().detail()).contains("API key " + key.keyId());
        assertThat(status(tight, bearer(key), "198.51.100.99")).isEqualTo(200);
        assertThat(bcryptCalls).hasValue(6);
    }

    @Test
    void shouldNotCountSuccessfulVerificationsAgainstTheAddress() {
        TenantAuthenticator tight = tight();
        fixtures.tenant("acme", "active");
        for (int i = 0; i < 10; i++) {
            assertThat(status(tight, bearer(fixtures.key("acme", Role.VIEWER)), "203.0.113.5")).isEqualTo(200);
        }

        assertThat(status(tight, bearer(ApiKeys.generate()), "203.0.113.5")).isEqualTo(401);
    }

    @Test
    void shouldAnswer503WhileTheDirectoryLoadsButStill401WithoutAKey() {
        AtomicBoolean loaded = new AtomicBoolean();
        TenantAuthenticator loading = new TenantAuthenticator(view, new CachedSecretVerifier(FAST_HASHER::verify, 2),
                limiter(), clock, loaded::get, "still loading");
        fixtures.tenant("acme", "active");
        PresentedKey key = fixtures.key("acme", Role.VIEWER);

        ProblemException unavailable = catchThrowableOfType(ProblemException.class,
                () -> loading.authenticate(bearer(key), ADDRESS));
        assertThat(unavailable.problem().status()).isEqualTo(503);
        assertThat(unavailable.headers()).containsEntry("Retry-After", "1");
        assertThat(status(loading, null, ADDRESS)).isEqualTo(401);

        loaded.set(true);
        assertThat(status(loading, bearer(key), ADDRESS)).isEqualTo(200);
    }

    @Test
    void shouldReadTheLimitsFromTheServicesVariablesAndReportBadOnes() {
        Env env = new Env("test", Map.of("LEDGER_MAX_CONCURRENT_BCRYPT", "3",
                "LEDGER_AUTH_FAILURES_PER_MIN_PER_KEY", "40", "LEDGER_AUTH_FAILURES_PER_MIN_PER_ADDRESS", "12"));
        assertThat(AuthLimits.fromEnv(env, "LEDGER")).isEqualTo(new AuthLimits(3, 40, 12));
        assertThat(AuthLimits.fromEnv(new Env("test", Map.of()), "STREAMS")).isEqualTo(AuthLimits.DEFAULTS);

        Env bad = new Env("test", Map.of("STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS", "0",
                "STREAMS_MAX_CONCURRENT_BCRYPT", "many"));
        AuthLimits.fromEnv(bad, "STREAMS");
        ConfigException refused = catchThrowableOfType(ConfigException.class, bad::validate);
        assertThat(refused.problems()).anyMatch(p -> p.contains("STREAMS_AUTH_FAILURES_PER_MIN_PER_ADDRESS"))
                .anyMatch(p -> p.contains("STREAMS_MAX_CONCURRENT_BCRYPT"));
    }
}
