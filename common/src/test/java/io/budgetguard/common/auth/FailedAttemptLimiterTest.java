package io.budgetguard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.budgetguard.common.http.ProblemException;
import io.budgetguard.common.limits.ClockTimeMeter;
import io.budgetguard.common.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailedAttemptLimiterTest {

    private static final String KEY = "k0123456789abcde";
    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-15T12:00:00Z"));
    private final FailedAttemptLimiter limiter = new FailedAttemptLimiter(
            AuthLimits.DEFAULTS.withFailuresPerMinute(6, 3), new ClockTimeMeter(clock));

    private ProblemException refusal(String keyId, String address) {
        return catchThrowableOfType(ProblemException.class, () -> limiter.begin(keyId, address));
    }

    @Test
    void shouldRefuseWith429OnceAnAddressUsedItsAllowance() {
        for (int i = 0; i < 3; i++) {
            limiter.begin(null, "203.0.113.5");
        }

        ProblemException refused = refusal(null, "203.0.113.5");

        assertThat(refused.problem().status()).isEqualTo(429);
        assertThat(refused.problem().detail()).contains("client address");
        // 3 per minute: the next token comes in 20 s
        assertThat(refused.headers()).containsEntry("Retry-After", "20");
    }

    @Test
    void shouldGiveTheTokensBackForASuccessfulAttempt() {
        for (int i = 0; i < 10; i++) {
            limiter.begin(KEY, "203.0.113.5").refund();
        }

        assertThatCode(() -> limiter.begin(KEY, "203.0.113.5")).doesNotThrowAnyException();
    }

    @Test
    void shouldRefillOverAMinute() {
        for (int i = 0; i < 3; i++) {
            limiter.begin(null, "203.0.113.5");
        }

        clock.advance(Duration.ofSeconds(20));

        assertThatCode(() -> limiter.begin(null, "203.0.113.5")).doesNotThrowAnyException();
        assertThat(refusal(null, "203.0.113.5").problem().status()).isEqualTo(429);
    }

    @Test
    void shouldLimitAKeyIdAcrossAddresses() {
        for (int i = 0; i < 6; i++) {
            limiter.begin(KEY, "198.51.100." + i);
        }

        ProblemException refused = refusal(KEY, "198.51.100.99");

        assertThat(refused.problem().status()).isEqualTo(429);
        assertThat(refused.problem().detail()).contains("API key " + KEY);
    }

    @Test
    void shouldNotLetOneAddressUseUpAKeysAllowance() {
        for (int i = 0; i < 3; i++) {
            limiter.begin(KEY, "203.0.113.5");
        }
        assertThat(refusal(KEY, "203.0.113.5").problem().status()).isEqualTo(429);

        assertThatCode(() -> limiter.begin(KEY, "198.51.100.7")).doesNotThrowAnyException();
    }

    @Test
    void shouldTakeNothingFromTheAddressWhenTheKeyRefuses() {
        for (int i = 0; i < 6; i++) {
            limiter.begin(KEY, "198.51.100." + i);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(refusal(KEY, "203.0.113.5").problem().status()).isEqualTo(429);
        }

        assertThatCode(() -> limiter.begin("k1111111111aaaaa", "203.0.113.5")).doesNotThrowAnyException();
    }
}
