package io.budgetguard.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Reports usage to BudgetGuard's {@code POST /v1/usage} from a gateway: asynchronous, batched, retried.
 *
 * <pre>{@code
 * try (BudgetGuardClient client = BudgetGuardClient.builder("http://127.0.0.1:8080", apiKey).build()) {
 *     client.send(UsageEvent.of(id, Instant.now(), "openai", "gpt-4o", 1200, 300))
 *           .whenComplete((ack, error) -> ...);
 * }   // close() sends what is queued and waits for the answers
 * }</pre>
 *
 * <p><b>Batching.</b> {@link #send} queues the event; one dispatcher thread takes queued events into a request of up to
 * {@code batchSize} events, sent once it is full or {@code linger} after its first event was queued, whichever comes
 * first ({@link #flush} and {@link #sendBatch} do not wait for the linger). At most {@code maxInFlight} requests are
 * outstanding at once (a request waiting to be retried counts).
 *
 * <p><b>Retries.</b> {@code 408, 429, 500, 502, 503, 504} and I/O errors (refused connection, reset, timeout) are
 * retried by the {@link RetryPolicy}: exponential backoff with jitter, never sooner than {@code Retry-After}. A retry
 * resends the identical body, so the same {@code event_id}s: the server accepts a request whole or not at all, and
 * whatever a lost acknowledgement lets through twice is removed downstream by (tenant, event_id). Any other answer is
 * final: the event's future fails with {@link UsageRejectedException} carrying the problem's field errors. When a 422
 * names some events of a request by index, only those fail; the others were not accepted either (the server refuses
 * the whole request) and are sent again at once without them.
 *
 * <p><b>Bounded memory.</b> At most {@code maxQueuedEvents} events wait in the queue, plus the in-flight requests'
 * events. When the queue is full, {@link #send} <em>blocks</em> up to {@code maxBlock} for room (back-pressure on the
 * caller, as Kafka's producer does) and then returns a future failed with {@link QueueFullException}; with
 * {@code maxBlock} zero it fails fast.
 *
 * <p>Thread-safe. The API key never appears in a message or a log of this client.
 */
public final class BudgetGuardClient implements AutoCloseable {

    public static final int MAX_BATCH_SIZE = 1000;
    private static final Set<Integer> RETRYABLE = Set.of(408, 429, 500, 502, 503, 504);

    private final URI usageUri;
    private final String authorization;
    private final int batchSize;
    private final long lingerNanos;
    private final Duration requestTimeout;
    private final Duration maxBlock;
    private final RetryPolicy retryPolicy;
    private final RequestListener listener;
    private final Semaphore inFlight;
    private final ExecutorService httpExecutor;
    private final HttpClient http;
    private final ScheduledExecutorService retryTimer;
    private final LinkedBlockingQueue<Pending> queue;
    private final Thread dispatcher;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong flushThrough = new AtomicLong();
    private final Set<CompletableFuture<Ack>> outstanding = ConcurrentHashMap.newKeySet();
    private final AtomicReference<BudgetStatus> lastBudgetStatus = new AtomicReference<>();
    private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private BudgetGuardClient(Builder builder) {
        String base = builder.baseUrl.endsWith("/") ? builder.baseUrl : builder.baseUrl + "/";
        this.usageUri = URI.create(base).resolve("v1/usage");
        this.authorization = "Bearer " + builder.apiKey;
        this.batchSize = builder.batchSize;
        this.lingerNanos = builder.linger.toNanos();
        this.requestTimeout = builder.requestTimeout;
        this.maxBlock = builder.maxBlock;
        this.retryPolicy = builder.retryPolicy;
        this.listener = builder.listener;
        this.inFlight = new Semaphore(builder.maxInFlight);
        this.queue = new LinkedBlockingQueue<>(builder.maxQueuedEvents);
        this.httpExecutor = Executors.newCachedThreadPool(daemon("budgetguard-client-http"));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout)
                .executor(httpExecutor)
                .build();
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(daemon("budgetguard-client-retry"));
        this.dispatcher = daemon("budgetguard-client-dispatcher").newThread(this::dispatch);
        this.dispatcher.start();
    }

    /** A builder for a client of the ingest service at {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}). */
    public static Builder builder(String baseUrl, String apiKey) {
        return new Builder(baseUrl, apiKey);
    }

    /**
     * Queues one event. The future completes when the server acknowledged it (Kafka has it), or fails with
     * {@link UsageRejectedException} (refused for good), {@link DeliveryFailedException} (retries exhausted, or the
     * client closed) or {@link QueueFullException}. Blocks up to {@code maxBlock} while the queue is full.
     */
    public CompletableFuture<Ack> send(UsageEvent event) {
        Objects.requireNonNull(event, "event");
        CompletableFuture<Ack> future = new CompletableFuture<>();
        closing.readLock().lock();
        try {
            if (closed) {
                future.completeExceptionally(new DeliveryFailedException("The client is closed", 0, 0, null));
                return future;
            }
            Pending pending = new Pending(event, sequence.incrementAndGet(), System.nanoTime(), future);
            outstanding.add(future);
            future.whenComplete((ack, error) -> outstanding.remove(future));
            if (!offer(pending)) {
                future.completeExceptionally(new QueueFullException("The send queue is full (" + queue.size()
                        + " events) and stayed full for " + maxBlock.toMillis() + " ms: the server is not keeping up"));
            }
        } finally {
            closing.readLock().unlock();
        }
        return future;
    }

    /**
     * Queues {@code events} and sends them without waiting for the linger (in requests of up to {@code batchSize}).
     * The future completes when every event is acknowledged, or fails with the first failure; use {@link #send} per
     * event to learn each one's fate.
     */
    public CompletableFuture<Ack> sendBatch(List<UsageEvent> events) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(new Ack(0, 0, lastBudgetStatus()));
        }
        List<CompletableFuture<Ack>> futures = new ArrayList<>(events.size());
        for (UsageEvent event : events) {
            futures.add(send(event));
        }
        requestFlush();
        CompletableFuture<Ack> all = new CompletableFuture<>();
        AtomicInteger remaining = new AtomicInteger(futures.size());
        AtomicInteger attempts = new AtomicInteger();
        for (CompletableFuture<Ack> future : futures) {
            future.whenComplete((ack, error) -> {
                if (error != null) {
                    all.completeExceptionally(error);
                    return;
                }
                attempts.accumulateAndGet(ack.attempts(), Math::max);
                if (remaining.decrementAndGet() == 0) {
                    all.complete(new Ack(futures.size(), attempts.get(), ack.budgetStatus()));
                }
            });
        }
        return all;
    }

    /**
     * Sends everything queued now, without waiting for the linger, and blocks until each of those events is
     * acknowledged or has failed (including its retries).
     */
    public void flush() {
        List<CompletableFuture<Ack>> waiting = new ArrayList<>(outstanding);
        requestFlush();
        try {
            CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).handle((ok, error) -> null).join();
        } catch (CompletionException ignored) {
            // the events' own futures carry their failures
        }
    }

    /** {@code X-Budget-Status} of the latest 202 answer; empty before the first one. */
    public Optional<BudgetStatus> lastBudgetStatus() {
        return Optional.ofNullable(lastBudgetStatus.get());
    }

    /** Events queued and not yet taken into a request. */
    public int queuedEvents() {
        return queue.size();
    }

    /**
     * Stops accepting events, sends what is queued, waits for every answer (retries included), then stops the
     * client's threads. Events sent after close fail with {@link DeliveryFailedException}.
     */
    @Override
    public void close() {
        close(Duration.ofDays(1));
    }

    /**
     * As {@link #close()}, but waits at most {@code timeout} for the answers; events still unanswered then fail with
     * {@link DeliveryFailedException} (they may have reached the server: resending them with the same ids is safe).
     */
    public void close(Duration timeout) {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        flushThrough.set(Long.MAX_VALUE);
        queue.offer(Pending.WAKE_UP);
        try {
            dispatcher.join(Math.max(1, timeout.toMillis()));
            List<CompletableFuture<Ack>> waiting = new ArrayList<>(outstanding);
            CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).handle((ok, error) -> null)
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // unanswered events fail below
        }
        dispatcher.interrupt();
        retryTimer.shutdownNow();
        httpExecutor.shutdownNow();
        DeliveryFailedException unanswered = new DeliveryFailedException(
                "The client was closed before the server acknowledged the event", 0, 0, null);
        new ArrayList<>(outstanding).forEach(future -> future.completeExceptionally(unanswered));
    }

    private boolean offer(Pending pending) {
        try {
            return maxBlock.isZero() ? queue.offer(pending) : queue.offer(pending, maxBlock.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void requestFlush() {
        flushThrough.accumulateAndGet(sequence.get(), Math::max);
        queue.offer(Pending.WAKE_UP); // wakes the dispatcher from its linger; when the queue is full it is not waiting
    }

    // ---- the dispatcher thread: queue -> requests ----

    private void dispatch() {
        List<Pending> batch = new ArrayList<>(batchSize);
        try {
            while (!(closed && queue.isEmpty())) {
                Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null || first == Pending.WAKE_UP) {
                    continue;
                }
                batch.add(first);
                fill(batch, first.queuedAtNanos() + lingerNanos);
                inFlight.acquire();
                new Request(List.copyOf(batch)).attempt();
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            DeliveryFailedException stopped = new DeliveryFailedException("The client stopped before sending the event", 0, 0, null);
            batch.forEach(p -> p.future().completeExceptionally(stopped));
            for (Pending left = queue.poll(); left != null; left = queue.poll()) {
                if (left != Pending.WAKE_UP) {
                    left.future().completeExceptionally(stopped);
                }
            }
        }
    }

    /** Adds queued events until the batch is full, the linger passed, or a flush asks for no more waiting. */
    private void fill(List<Pending> batch, long deadlineNanos) throws InterruptedException {
        while (batch.size() < batchSize) {
            Pending next = queue.poll();
            if (next == null) {
                if (flushThrough.get() >= batch.get(batch.size() - 1).sequence()) {
                    return;
                }
                long wait = deadlineNanos - System.nanoTime();
                if (wait <= 0 || (next = queue.poll(wait, TimeUnit.NANOSECONDS)) == null) {
                    return;
                }
            }
            if (next != Pending.WAKE_UP) {
                batch.add(next);
            }
        }
    }

    // ---- one request, its retries, its answer ----

    private final class Request {
        private final List<Pending> events;
        private final byte[] body;
        private int attempts;

        Request(List<Pending> events) {
            this.events = events;
            this.body = UsageJson.batch(events.stream().map(Pending::event).toList());
        }

        void attempt() {
            attempts++;
            HttpRequest request = HttpRequest.newBuilder(usageUri)
                    .timeout(requestTimeout)
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            long started = System.nanoTime();
            try {
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> onAnswer(response, error, started));
            } catch (RuntimeException e) {
                finish(null, e);
            }
        }

        private void onAnswer(HttpResponse<String> response, Throwable error, long startedNanos) {
            Duration latency = Duration.ofNanos(System.nanoTime() - startedNanos);
            try {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    boolean retry = cause instanceof IOException && attempts < retryPolicy.maxAttempts() && !closedForRetries();
                    notify(0, latency, retry);
                    if (retry) {
                        retryLater(null);
                    } else {
                        finish(null, new DeliveryFailedException("No answer from " + usageUri + " after " + attempts
                                + " attempt(s): " + cause, attempts, 0, cause));
                    }
                    return;
                }
                int status = response.statusCode();
                if (status / 100 == 2) {
                    notify(status, latency, false);
                    BudgetStatus.fromHeader(response.headers().firstValue("X-Budget-Status").orElse(null))
                            .ifPresent(lastBudgetStatus::set);
                    Ack ack = new Ack(1, attempts, lastBudgetStatus());
                    finish(ack, null);
                } else if (RETRYABLE.contains(status)) {
                    boolean retry = attempts < retryPolicy.maxAttempts() && !closedForRetries();
                    notify(status, latency, retry);
                    if (retry) {
                        retryLater(RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), Instant.now()));
                    } else {
                        UsageJson.Problem problem = UsageJson.Problem.parse(response.body());
                        finish(null, new DeliveryFailedException("Gave up after " + attempts + " attempt(s): the server "
                                + "answered " + status + (problem.detail() == null ? "" : ": " + problem.detail()),
                                attempts, status, null));
                    }
                } else {
                    notify(status, latency, false);
                    reject(status, UsageJson.Problem.parse(response.body()));
                }
            } catch (RuntimeException e) {
                finish(null, new DeliveryFailedException("Unexpected failure handling the answer: " + e, attempts, 0, e));
            }
        }

        /** Once the executors are gone no retry can run; close() waits for retries, so this is only a safeguard. */
        private boolean closedForRetries() {
            return retryTimer.isShutdown();
        }

        private void retryLater(Duration retryAfter) {
            Duration delay = retryPolicy.delay(attempts, retryAfter, ThreadLocalRandom.current().nextDouble());
            retryTimer.schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
        }

        /**
         * A final refusal. A 422 naming some events by index fails those; the rest were refused only because the
         * server takes a request whole, so they go again in a new request (same permit).
         */
        private void reject(int status, UsageJson.Problem problem) {
            Set<Integer> invalid = new java.util.HashSet<>();
            boolean indexed = status == 422 && !problem.errors().isEmpty();
            for (FieldError fieldError : problem.errors()) {
                Integer index = fieldError.index();
                if (index == null || index < 0 || index >= events.size()) {
                    indexed = false;
                } else {
                    invalid.add(index);
                }
            }
            if (!indexed || invalid.size() == events.size()) {
                for (int i = 0; i < events.size(); i++) {
                    events.get(i).future().completeExceptionally(rejection(status, problem, i));
                }
                inFlight.release();
                return;
            }
            List<Pending> valid = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                if (invalid.contains(i)) {
                    events.get(i).future().completeExceptionally(rejection(status, problem, i));
                } else {
                    valid.add(events.get(i));
                }
            }
            new Request(valid).attempt();
        }

        private UsageRejectedException rejection(int status, UsageJson.Problem problem, int index) {
            List<FieldError> mine = problem.errors().stream()
                    .filter(e -> e.index() == null || e.index() == index).toList();
            return new UsageRejectedException(status, events.get(index).event().eventId(), problem.title(),
                    problem.detail(), mine);
        }

        private void finish(Ack ack, Throwable failure) {
            inFlight.release();
            for (Pending pending : events) {
                if (failure == null) {
                    pending.future().complete(ack);
                } else {
                    pending.future().completeExceptionally(failure);
                }
            }
        }

        private void notify(int status, Duration latency, boolean willRetry) {
            try {
                listener.onOutcome(new RequestListener.Outcome(events.size(), attempts, status, latency, willRetry));
            } catch (RuntimeException ignored) {
                // a listener's bug must not lose events
            }
        }
    }

    private record Pending(UsageEvent event, long sequence, long queuedAtNanos, CompletableFuture<Ack> future) {
        static final Pending WAKE_UP = new Pending(null, Long.MAX_VALUE, 0, null);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Settings of a {@link BudgetGuardClient}; every one has a default but the URL and the key. */
    public static final class Builder {
        private final String baseUrl;
        private final String apiKey;
        private int batchSize = 500;
        private Duration linger = Duration.ofMillis(10);
        private int maxInFlight = 4;
        private int maxQueuedEvents = 10_000;
        private Duration maxBlock = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private RequestListener listener = RequestListener.NONE;

        private Builder(String baseUrl, String apiKey) {
            if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
                throw new IllegalArgumentException("The base URL must be an http:// or https:// URL, was " + baseUrl);
            }
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalArgumentException("An API key is required");
            }
            this.baseUrl = baseUrl;
            this.apiKey = apiKey.trim();
        }

        /** Events per request, 1 to 1000 (the server's limit); default 500. */
        public Builder batchSize(int events) {
            if (events < 1 || events > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException("batchSize must be between 1 and " + MAX_BATCH_SIZE + ", was " + events);
            }
            this.batchSize = events;
            return this;
        }

        /** How long a request waits for more events after its first was queued; default 10 ms, 0 = never wait. */
        public Builder linger(Duration duration) {
            if (duration.isNegative()) {
                throw new IllegalArgumentException("linger must not be negative");
            }
            this.linger = duration;
            return this;
        }

        /** Requests outstanding at once, retries waiting included; default 4. */
        public Builder maxInFlight(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, was " + requests);
            }
            this.maxInFlight = requests;
            return this;
        }

        /** Capacity of the send queue, in events; default 10 000. */
        public Builder maxQueuedEvents(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("maxQueuedEvents must be at least 1, was " + events);
            }
            this.maxQueuedEvents = events;
            return this;
        }

        /** How long {@link #send} blocks for room in a full queue; default 10 s, 0 = fail fast. */
        public Builder maxBlock(Duration duration) {
            if (duration.isNegative()) {
                throw new IllegalArgumentException("maxBlock must not be negative");
            }
            this.maxBlock = duration;
            return this;
        }

        public Builder connectTimeout(Duration duration) {
            this.connectTimeout = Objects.requireNonNull(duration);
            return this;
        }

        /** Per attempt, from sending the request to its answer; default 30 s (a timeout is retried). */
        public Builder requestTimeout(Duration duration) {
            this.requestTimeout = Objects.requireNonNull(duration);
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy);
            return this;
        }

        public Builder listener(RequestListener requestListener) {
            this.listener = Objects.requireNonNull(requestListener);
            return this;
        }

        public BudgetGuardClient build() {
            return new BudgetGuardClient(this);
        }
    }
}
