package io.budgetguard.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.testing.TestIngest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 item 4: a tenant sending far more than its limit for seconds on end from many connections gets 202 or 429
 * (with {@code Retry-After}) and nothing else, every answer comes quickly (nothing hangs or queues up), exactly the
 * events answered 202 are published, and once the flood stops the tenant is served again within a second or two.
 */
class SustainedOverloadTest {

    private static final int LIMIT_EVENTS_PER_S = 20;
    private static final int BATCH = 10;
    private static final Duration FLOOD = Duration.ofSeconds(3);

    private final TestIngest ingest = TestIngest.start(Clock.systemUTC(),
            config -> config.withLimits(config.limits().withDefaultRequestsPerS(100_000)));

    @AfterEach
    void stop() {
        ingest.close();
    }

    private static String batch(String prefix) {
        String now = Instant.now().toString();
        return IntStream.range(0, BATCH).mapToObj(i -> "{\"event_id\":\"" + prefix + "-" + i + "\",\"occurred_at\":\"" + now
                        + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":2}")
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
    }

    @Test
    void aFloodIsRefusedWith429QuicklyAndTheTenantRecovers() throws Exception {
        ingest.fixtures.tenant("acme", "active", LIMIT_EVENTS_PER_S);
        PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
        ConcurrentHashMap<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        AtomicLong slowestNanos = new AtomicLong();
        AtomicInteger withoutRetryAfter = new AtomicInteger();
        AtomicInteger sequence = new AtomicInteger();
        long end = System.nanoTime() + FLOOD.toNanos();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            running.add(senders.submit(() -> {
                while (System.nanoTime() < end) {
                    long started = System.nanoTime();
                    HttpResponse<String> answer = ingest.postUsage(key.token(), batch("flood-" + sequence.incrementAndGet()));
                    slowestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
                    statuses.computeIfAbsent(answer.statusCode(), s -> new LongAdder()).increment();
                    if (answer.statusCode() == 429 && answer.headers().firstValue("Retry-After").isEmpty()) {
                        withoutRetryAfter.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> sender : running) {
            sender.get();
        }
        senders.shutdown();

        assertThat(statuses.keySet()).as("answers during the flood: %s, slowest %d ms", statuses,
                slowestNanos.get() / 1_000_000).containsExactlyInAnyOrder(202, 429);
        long accepted = statuses.get(202).sum();
        long refused = statuses.get(429).sum();
        assertThat(refused).as("most of a flood many times the limit is refused").isGreaterThan(accepted);
        assertThat(withoutRetryAfter).hasValue(0);
        assertThat(Duration.ofNanos(slowestNanos.get())).as("slowest answer").isLessThan(Duration.ofSeconds(5));
        // the bucket's burst plus the refill over the flood, with a second of slack
        assertThat(accepted * BATCH).isLessThanOrEqualTo(LIMIT_EVENTS_PER_S * (FLOOD.toSeconds() + 2));
        assertThat(ingest.publishedUsage()).as("exactly what was acknowledged was published").hasSize((int) (accepted * BATCH));

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() ->
                ingest.postUsage(key.token(), batch("after-" + sequence.incrementAndGet())).statusCode() == 202);
    }
}
