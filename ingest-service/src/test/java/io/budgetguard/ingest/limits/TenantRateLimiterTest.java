package io.budgetguard.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.budgetguard.common.http.ProblemException;
import io.budgetguard.common.limits.ClockTimeMeter;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.testing.ControlFixtures;
import io.budgetguard.common.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TenantRateLimiterTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-15T12:00:00Z"));
    private final ControlPlaneView view = new ControlPlaneView();
    private final ControlFixtures fixtures = new ControlFixtures(view);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final TenantRateLimiter limiter = new TenantRateLimiter(view,
            EdgeLimits.DEFAULTS.withDefaultEventsPerS(100).withDefaultRequestsPerS(3), new ClockTimeMeter(clock), metrics);

    private ProblemException refusal(Runnable call) {
        return catchThrowableOfType(ProblemException.class, call::run);
    }

    @Test
    void shouldAdmitTheDefaultRequestsPerSecondThenAnswer429WithRetryAfter() {
        fixtures.tenant("acme", "active");
        for (int i = 0; i < 3; i++) {
            limiter.admitRequest("acme");
        }

        ProblemException refused = refusal(() -> limiter.admitRequest("acme"));

        assertThat(refused.problem().status()).isEqualTo(429);
        assertThat(refused.problem().detail()).contains("acme", "3 requests/s");
        assertThat(refused.headers()).containsEntry("Retry-After", "1");
        assertThat(metrics.get("budgetguard.ingest.rate.limited").tag("limit", "requests").counter().count())
                .isEqualTo(1);
    }

    @Test
    void shouldRefillRequestTokensAsTimePasses() {
        fixtures.tenant("acme", "active");
        for (int i = 0; i < 3; i++) {
            limiter.admitRequest("acme");
        }

        clock.advance(Duration.ofMillis(340));

        assertThatCode(() -> limiter.admitRequest("acme")).doesNotThrowAnyException();
        assertThat(refusal(() -> limiter.admitRequest("acme")).problem().status()).isEqualTo(429);
    }

    @Test
    void shouldTakeAsManyEventTokensAsTheBatchHoldsEvents() {
        fixtures.tenant("acme", "active");
        limiter.admitEvents("acme", 60);
        limiter.admitEvents("acme", 40);

        ProblemException refused = refusal(() -> limiter.admitEvents("acme", 1));

        assertThat(refused.problem().status()).isEqualTo(429);
        assertThat(refused.problem().detail()).contains("100 events/s");
        assertThat(refused.headers()).containsKey("Retry-After");
    }

    @Test
    void shouldTakeNoTokensFromABatchItRefuses() {
        fixtures.tenant("acme", "active");
        limiter.admitEvents("acme", 70);

        assertThat(refusal(() -> limiter.admitEvents("acme", 50)).problem().status()).isEqualTo(429);

        assertThatCode(() -> limiter.admitEvents("acme", 30)).doesNotThrowAnyException();
    }

    @Test
    void shouldComputeRetryAfterFromTheRefillEstimate() {
        fixtures.tenant("slow", "active", 1);
        limiter.admitEvents("slow", 1);
        clock.advance(Duration.ofMillis(100));

        ProblemException refused = refusal(() -> limiter.admitEvents("slow", 1));

        // 0.9 s until the next token, rounded up to whole seconds
        assertThat(refused.headers()).containsEntry("Retry-After", "1");
        clock.advance(Duration.ofMillis(900));
        assertThatCode(() -> limiter.admitEvents("slow", 1)).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseABatchLargerThanTheBucketWith413NamingTheLimit() {
        fixtures.tenant("small", "active", 10);

        ProblemException refused = refusal(() -> limiter.admitEvents("small", 11));

        assertThat(refused.problem().status()).isEqualTo(413);
        assertThat(refused.problem().detail()).contains("11 events", "at most 10 events/s", "split it");
        assertThat(refused.headers()).doesNotContainKey("Retry-After");
    }

    @Test
    void shouldUseTheTenantsOwnEventsLimitOverThePlatformDefault() {
        fixtures.tenant("own", "active", 5);
        fixtures.tenant("default", "active");

        assertThat(limiter.eventsPerSecond("own")).isEqualTo(5);
        assertThat(limiter.eventsPerSecond("default")).isEqualTo(100);
    }

    @Test
    void shouldApplyARaisedLimitAtOnce() {
        fixtures.tenant("acme", "active", 10);
        limiter.admitEvents("acme", 10);
        assertThat(refusal(() -> limiter.admitEvents("acme", 1)).problem().status()).isEqualTo(429);

        fixtures.tenant("acme", "active", 1000);

        assertThatCode(() -> limiter.admitEvents("acme", 500)).doesNotThrowAnyException();
    }

    @Test
    void shouldApplyALoweredLimitAtOnce() {
        fixtures.tenant("acme", "active", 1000);
        limiter.admitEvents("acme", 1);

        fixtures.tenant("acme", "active", 10);

        assertThat(refusal(() -> limiter.admitEvents("acme", 11)).problem().status()).isEqualTo(413);
        limiter.admitEvents("acme", 10);
        assertThat(refusal(() -> limiter.admitEvents("acme", 1)).problem().status()).isEqualTo(429);
    }

    @Test
    void shouldKeepEachTenantsBucketsApart() {
        fixtures.tenant("a", "active");
        fixtures.tenant("b", "active");
        for (int i = 0; i < 3; i++) {
            limiter.admitRequest("a");
        }

        assertThat(refusal(() -> limiter.admitRequest("a")).problem().status()).isEqualTo(429);
        assertThatCode(() -> limiter.admitRequest("b")).doesNotThrowAnyException();
    }
}
