package io.budgetguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(2), 2.0,
            Duration.ofSeconds(5));

    @Test
    void shouldDoubleTheBackoffAfterEachFailureUpToTheMaximum() {
        assertThat(policy.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.backoff(6)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(60)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldJitterBetweenHalfAndAllOfTheBackoff() {
        assertThat(policy.delay(3, null, 0.0)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.delay(3, null, 0.999999)).isBetween(Duration.ofMillis(399), Duration.ofMillis(400));
    }

    @Test
    void shouldNeverRetrySoonerThanRetryAfter() {
        assertThat(policy.delay(1, Duration.ofSeconds(1), 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(1, Duration.ofSeconds(1), 0.5)).isEqualTo(Duration.ofMillis(1100));
    }

    @Test
    void shouldCapALongRetryAfter() {
        assertThat(policy.delay(1, Duration.ofHours(1), 0.0)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldReadRetryAfterAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(RetryAfter.parse("3", now)).isEqualTo(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse("Thu, 01 Jan 2026 00:00:07 GMT", now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Wed, 31 Dec 2025 23:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", now)).isNull();
        assertThat(RetryAfter.parse(null, now)).isNull();
    }
}
