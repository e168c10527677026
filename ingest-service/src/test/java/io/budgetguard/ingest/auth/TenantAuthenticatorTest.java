package io.budgetguard.ingest.auth;

import static io.budgetguard.ingest.testing.ControlFixtures.FAST_HASHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.http.ProblemException;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.limits.ClockTimeMeter;
import io.budgetguard.ingest.limits.EdgeLimits;
import io.budgetguard.ingest.limits.FailedAttemptLimiter;
import io.budgetguard.ingest.testing.ControlFixtures;
import io.budgetguard.ingest.testing.MutableClock;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TenantAuthenticatorTest {

    private static final String ADDRESS = "127.0.0.1";

    private static FailedAttemptLimiter limiter() {
        return new FailedAttemptLimiter(EdgeLimits.DEFAULTS.withAuthFailuresPerMinute(1000, 1000),
                new ClockTimeMeter(Clock.systemUTC()));
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-15T12:00:00Z"));
    private final ControlPlaneView view = new ControlPlaneView();
    private final ControlFixtures fixtures = new ControlFixtures(view);
    private final AtomicInteger bcryptCalls = new AtomicInteger();
    private final TenantAuthenticator authenticator = new TenantAuthenticator(view, (secret, hash) -> {
        bcryptCalls.incrementAndGet();
        return FAST_HASHER.verify(secret, hash);
    }, 2, limiter(), clock);
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
        view.apply(Topics.CONTROL_APIKEYS.name(), key.keyId(), expiring, 1, 1);

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
        TenantAuthenticator slow = new TenantAuthenticator(view, (secret, hash) -> {
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FAST_HASHER.verify(secret, hash);
        }, 2, limiter(), clock);
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
}
