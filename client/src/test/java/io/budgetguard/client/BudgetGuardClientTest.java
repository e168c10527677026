package io.budgetguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.budgetguard.client.FakeIngest.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a loopback fake of {@code POST /v1/usage}. */
class BudgetGuardClientTest {

    private static final String KEY = "bg_k0123456789abcde.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I";
    private static final RetryPolicy FAST_RETRIES = RetryPolicy.defaults().withBackoff(Duration.ofMillis(5), Duration.ofMillis(20));

    private FakeIngest server;
    private BudgetGuardClient client;

    @BeforeEach
    void startServer() throws Exception {
        server = new FakeIngest();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private BudgetGuardClient.Builder clientBuilder() {
        return BudgetGuardClient.builder(server.url(), KEY).retryPolicy(FAST_RETRIES).linger(Duration.ofMillis(5));
    }

    private static UsageEvent event(String id) {
        return UsageEvent.of(id, Instant.parse("2026-01-01T00:00:00Z"), "openai", "gpt-4o", 100, 10);
    }

    private static List<UsageEvent> events(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> event(prefix + i)).toList();
    }

    private static Ack ack(CompletableFuture<Ack> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<Ack> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the future did not fail: " + e, e);
        }
        throw new AssertionError("the future completed normally");
    }

    @Test
    void shouldSendQueuedEventsInRequestsOfAtMostTheBatchSize() throws Exception {
        client = clientBuilder().batchSize(10).linger(Duration.ofSeconds(5)).build();

        Ack ack = ack(client.sendBatch(events("e-", 25)));

        assertThat(ack.events()).isEqualTo(25);
        assertThat(server.received()).extracting(r -> r.eventIds().size()).containsExactlyInAnyOrder(10, 10, 5);
        assertThat(server.receivedEventIds()).containsExactlyInAnyOrderElementsOf(events("e-", 25).stream().map(UsageEvent::eventId).toList());
        assertThat(server.received()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + KEY));
    }

    @Test
    void shouldSendAPartialBatchOnceTheLingerPassed() throws Exception {
        client = clientBuilder().batchSize(100).linger(Duration.ofMillis(50)).build();

        List<CompletableFuture<Ack>> futures = events("e-", 3).stream().map(client::send).toList();

        for (CompletableFuture<Ack> future : futures) {
            assertThat(ack(future).attempts()).isEqualTo(1);
        }
        assertThat(server.received()).hasSize(1);
        assertThat(server.received().get(0).eventIds()).containsExactly("e-0", "e-1", "e-2");
    }

    @Test
    void shouldRetryA503WithTheSameEventIds() throws Exception {
        server.thenAnswer(Answer.status(503, "Retry-After", "0"), Answer.status(503));
        client = clientBuilder().build();

        Ack ack = ack(client.sendBatch(events("e-", 3)));

        assertThat(ack.attempts()).isEqualTo(3);
        assertThat(server.received()).hasSize(3)
                .allSatisfy(r -> assertThat(r.eventIds()).containsExactly("e-0", "e-1", "e-2"));
    }

    @Test
    void shouldRetryAfterAnIoError() throws Exception {
        server.thenAnswer(Answer.drop());
        client = clientBuilder().build();

        Ack ack = ack(client.send(event("e-1")));

        assertThat(ack.attempts()).isEqualTo(2);
        assertThat(server.received()).extracting(FakeIngest.Received::eventIds)
                .containsExactly(List.of("e-1"), List.of("e-1"));
    }

    @Test
    void shouldWaitAtLeastRetryAfterBeforeRetryingA429() throws Exception {
        server.thenAnswer(Answer.status(429, "Retry-After", "1"));
        client = clientBuilder().build();

        ack(client.send(event("e-1")));

        List<FakeIngest.Received> received = server.received();
        assertThat(received).hasSize(2);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(received.get(1).arrivedNanos() - received.get(0).arrivedNanos());
        assertThat(waitedMillis).isBetween(1000L, 1500L);
    }

    @Test
    void shouldNotRetryA422AndNameTheInvalidField() {
        server.thenAnswer(Answer.problem(422, """
                {"type":"about:blank","title":"Unprocessable Content","status":422,
                 "detail":"The event is invalid; nothing was accepted",
                 "errors":[{"index":0,"field":"occurred_at","message":"must not be more than 5 minutes in the future"}]}"""));
        client = clientBuilder().build();

        Throwable failure = failure(client.send(event("e-1")));

        assertThat(failure).isInstanceOf(UsageRejectedException.class);
        UsageRejectedException rejected = (UsageRejectedException) failure;
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.eventId()).isEqualTo("e-1");
        assertThat(rejected.fieldErrors()).containsExactly(
                new FieldError(0, "occurred_at", "must not be more than 5 minutes in the future"));
        assertThat(rejected.getMessage()).contains("occurred_at").doesNotContain(KEY);
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void shouldResendTheValidEventsOfABatchWithoutTheInvalidOnes() throws Exception {
        server.thenAnswer(Answer.problem(422, """
                {"title":"Unprocessable Content","status":422,"detail":"1 of 3 events are invalid; nothing was accepted",
                 "errors":[{"index":1,"field":"model","message":"is required"}]}"""));
        client = clientBuilder().batchSize(3).linger(Duration.ofSeconds(5)).build();

        List<CompletableFuture<Ack>> futures = events("e-", 3).stream().map(client::send).toList();

        assertThat(ack(futures.get(0)).events()).isEqualTo(1);
        assertThat(ack(futures.get(2)).events()).isEqualTo(1);
        assertThat(failure(futures.get(1))).isInstanceOf(UsageRejectedException.class)
                .hasMessageContaining("e-1").hasMessageContaining("model is required");
        assertThat(server.received()).extracting(FakeIngest.Received::eventIds)
                .containsExactly(List.of("e-0", "e-1", "e-2"), List.of("e-0", "e-2"));
    }

    @Test
    void shouldNotRetryAnUnauthorizedKey() {
        server.thenAnswer(Answer.problem(401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"The API key is unknown\"}"));
        client = clientBuilder().build();

        Throwable failure = failure(client.send(event("e-1")));

        assertThat(failure).isInstanceOf(UsageRejectedException.class).hasMessageContaining("401");
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void shouldGiveUpAfterTheLastAttemptTheRetryPolicyAllows() {
        server.otherwise(r -> Answer.status(503, "Retry-After", "0"));
        client = clientBuilder().retryPolicy(FAST_RETRIES.withMaxAttempts(3)).build();

        Throwable failure = failure(client.send(event("e-1")));

        assertThat(failure).isInstanceOf(DeliveryFailedException.class);
        assertThat(((DeliveryFailedException) failure).attempts()).isEqualTo(3);
        assertThat(((DeliveryFailedException) failure).lastStatus()).isEqualTo(503);
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void shouldRememberTheLastBudgetStatus() throws Exception {
        server.thenAnswer(Answer.status(202, "X-Budget-Status", "warning"));
        client = clientBuilder().build();
        assertThat(client.lastBudgetStatus()).isEmpty();

        Ack ack = ack(client.send(event("e-1")));

        assertThat(ack.budgetStatus()).contains(BudgetStatus.WARNING);
        assertThat(client.lastBudgetStatus()).contains(BudgetStatus.WARNING);
    }

    @Test
    void shouldFailFastWhenTheQueueIsFullAndMaxBlockIsZero() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.otherwise(r -> {
            hold(release);
            return Answer.status(202);
        });
        client = clientBuilder().batchSize(1).maxInFlight(1).maxQueuedEvents(2).maxBlock(Duration.ZERO).build();
        CompletableFuture<Ack> first = client.send(event("e-0"));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.received().size() == 1);
        client.send(event("e-1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> client.queuedEvents() == 0); // the dispatcher holds e-1
        client.send(event("e-2"));
        client.send(event("e-3"));

        CompletableFuture<Ack> overflow = client.send(event("e-4"));

        assertThat(overflow).isCompletedExceptionally();
        assertThat(failure(overflow)).isInstanceOf(QueueFullException.class);
        release.countDown();
        assertThat(ack(first).events()).isEqualTo(1);
    }

    @Test
    void shouldFailWhatIsUnansweredWhenTheCloseTimeoutPasses() {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.otherwise(r -> {
            hold(release);
            return Answer.status(202);
        });
        client = clientBuilder().build();
        CompletableFuture<Ack> future = client.send(event("e-1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.received().size() == 1);

        client.close(Duration.ofMillis(100));

        assertThat(failure(future)).isInstanceOf(DeliveryFailedException.class).hasMessageContaining("closed");
        release.countDown();
    }

    private static void hold(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldKeepAtMostMaxInFlightRequestsOutstanding() throws Exception {
        List<Integer> concurrent = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.otherwise(r -> {
            concurrent.add(open.incrementAndGet());
            hold(release);
            open.decrementAndGet();
            return Answer.status(202);
        });
        client = clientBuilder().batchSize(1).maxInFlight(2).build();

        CompletableFuture<Ack> all = client.sendBatch(events("e-", 6));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.received().size() == 2);
        assertThat(client.queuedEvents()).isGreaterThanOrEqualTo(3);
        release.countDown();

        assertThat(ack(all).events()).isEqualTo(6);
        assertThat(concurrent).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
    }

    @Test
    void shouldSendWhatIsQueuedWhenClosed() throws Exception {
        client = clientBuilder().batchSize(100).linger(Duration.ofSeconds(30)).build();
        List<CompletableFuture<Ack>> futures = new ArrayList<>();
        for (UsageEvent event : events("e-", 5)) {
            futures.add(client.send(event));
        }

        client.close();

        assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
        assertThat(server.receivedEventIds()).containsExactly("e-0", "e-1", "e-2", "e-3", "e-4");
        assertThat(failure(client.send(event("late")))).isInstanceOf(DeliveryFailedException.class);
    }

    @Test
    void shouldSendWithoutWaitingForTheLingerOnFlush() {
        client = clientBuilder().batchSize(100).linger(Duration.ofSeconds(30)).build();
        CompletableFuture<Ack> future = client.send(event("e-1"));

        client.flush();

        assertThat(future).isCompleted().isNotCompletedExceptionally();
    }

    @Test
    void shouldRefuseABatchSizeAboveTheServersLimit() {
        assertThatThrownBy(() -> BudgetGuardClient.builder(server.url(), KEY).batchSize(1001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000");
    }
}
