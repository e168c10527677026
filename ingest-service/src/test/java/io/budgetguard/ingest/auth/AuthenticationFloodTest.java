package io.budgetguard.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.testing.TestIngest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Floods of wrong secrets and random key ids against a running server, with valid traffic alongside. The clock stands
 * still, so no failed-attempt token comes back during a test and the bcrypt bound is exact.
 */
class AuthenticationFloodTest {

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    private static final int PER_KEY = 30;
    private static final int PER_ADDRESS = 10;
    private static final Duration VALID_REQUEST_BOUND = Duration.ofSeconds(2);
    private static final String EVENT = "{\"event_id\":\"e-%d\",\"occurred_at\":\"2025-06-15T11:59:00Z\","
            + "\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":2}";

    private final ExecutorService flooders = Executors.newFixedThreadPool(2);
    private TestIngest ingest;

    @AfterEach
    void stop() {
        flooders.shutdownNow();
        if (ingest != null) {
            ingest.close();
        }
    }

    private void start(List<String> trustedProxies) {
        ingest = TestIngest.start(Clock.fixed(NOW, ZoneOffset.UTC), config -> config
                .withLimits(config.limits().withAuthFailuresPerMinute(PER_KEY, PER_ADDRESS))
                .withTrustedProxies(trustedProxies));
        ingest.fixtures.tenant("acme", "active");
    }

    /** Sends the flood from another thread until told to stop, counting the answers by status into {@code statuses}. */
    private Future<?> flood(AtomicBoolean stop, Map<Integer, Integer> statuses, Supplier<String> token) {
        return flooders.submit(() -> {
            while (!stop.get()) {
                int status = ingest.postUsage(token.get(), EVENT.formatted(0)).statusCode();
                statuses.merge(status, 1, Integer::sum);
            }
        });
    }

    /** Waits until the flood used up the address's allowance: from then on it is answered 429. */
    private static void awaitThrottled(Map<Integer, Integer> statuses) {
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.getOrDefault(429, 0) > 0);
    }

    /** 50 valid requests during the flood: every one 202, none slower than the bound. */
    private void assertValidTrafficFlows(PresentedKey key) {
        for (int i = 1; i <= 50; i++) {
            long started = System.nanoTime();
            HttpResponse<String> response = ingest.postUsage(key.token(), EVENT.formatted(i));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.statusCode()).as("valid request %d during the flood", i).isEqualTo(202);
            assertThat(took).as("valid request %d during the flood", i).isLessThan(VALID_REQUEST_BOUND);
        }
    }

    @Test
    void shouldKeepServingAVerifiedKeyWhileItsKeyIdIsFloodedWithWrongSecrets() throws Exception {
        start(List.of());
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        assertThat(ingest.postUsage(key.token(), EVENT.formatted(0)).statusCode()).isEqualTo(202);
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();

        Future<?> flood = flood(stop, statuses, () -> new PresentedKey(key.keyId(), ApiKeys.generate().secret()).token());
        awaitThrottled(statuses);
        assertValidTrafficFlows(key);
        stop.set(true);
        flood.get(10, TimeUnit.SECONDS);

        assertThat(statuses).containsOnlyKeys(401, 429);
        assertThat(statuses.get(401)).isEqualTo(PER_ADDRESS);
        // one bcrypt for the valid key, one per wrong secret until the address's allowance was used up
        assertThat(ingest.server.authenticator().bcryptVerifications()).isEqualTo(1 + PER_ADDRESS);
    }

    @Test
    void shouldKeepServingAVerifiedKeyWhileOneAddressFloodsRandomKeyIds() throws Exception {
        start(List.of());
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        assertThat(ingest.postUsage(key.token(), EVENT.formatted(0)).statusCode()).isEqualTo(202);
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();

        Future<?> flood = flood(stop, statuses, () -> ApiKeys.generate().token());
        awaitThrottled(statuses);
        assertValidTrafficFlows(key);
        stop.set(true);
        flood.get(10, TimeUnit.SECONDS);

        assertThat(statuses).containsOnlyKeys(401, 429);
        assertThat(statuses.get(401)).isEqualTo(PER_ADDRESS);
        assertThat(ingest.server.authenticator().bcryptVerifications()).isEqualTo(1);
    }

    @Test
    void shouldLimitEachForwardedClientApartBehindATrustedProxy() {
        start(List.of("127.0.0.1", "::1"));
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        String attacker = "203.0.113.5";
        for (int i = 0; i < PER_ADDRESS; i++) {
            String wrong = new PresentedKey(key.keyId(), ApiKeys.generate().secret()).token();
            assertThat(postFrom(attacker, wrong).statusCode()).isEqualTo(401);
        }
        assertThat(postFrom(attacker, key.token()).statusCode()).isEqualTo(429);

        // the key's holder, elsewhere, verifies its (not yet cached) secret undisturbed
        assertThat(postFrom("198.51.100.7", key.token()).statusCode()).isEqualTo(202);
    }

    @Test
    void shouldIgnoreForwardedForWithoutTrustedProxies() {
        start(List.of());
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        for (int i = 0; i < PER_ADDRESS; i++) {
            String wrong = new PresentedKey(key.keyId(), ApiKeys.generate().secret()).token();
            assertThat(postFrom("203.0.113." + i, wrong).statusCode()).isEqualTo(401);
        }

        // a forged header does not buy a fresh allowance: every attempt counted against the real peer
        assertThat(postFrom("198.51.100.7", key.token()).statusCode()).isEqualTo(429);
    }

    private HttpResponse<String> postFrom(String forwardedFor, String token) {
        return ingest.send("POST", "/v1/usage", EVENT.formatted(1), "Authorization", "Bearer " + token,
                "Content-Type", "application/json", "X-Forwarded-For", forwardedFor);
    }
}
