package io.budgetguard.cli.load;

import io.budgetguard.client.Ack;
import io.budgetguard.client.BudgetGuardClient;
import io.budgetguard.client.RequestListener;
import io.budgetguard.client.UsageEvent;
import io.budgetguard.client.UsageRejectedException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends generated usage through {@link BudgetGuardClient} at a target rate (or as fast as the server takes it), resends
 * a fraction with the same event ids, prints progress every second and returns a {@link LoadReport}.
 *
 * <p>Event ids are {@code load-<run>-<n>} with a random run id, so two runs never collide in deduplication.
 */
public final class LoadGenerator {

    private static final int RECENT = 1024;

    private final LoadOptions options;
    private final PrintWriter out;
    private final LongAdder acked = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final AtomicLong distinct = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final LatencyRecorder latencies = new LatencyRecorder();
    private final AtomicReference<String> firstRejection = new AtomicReference<>();
    private final AtomicReference<String> firstLoss = new AtomicReference<>();

    public LoadGenerator(LoadOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    public LoadReport run() {
        String runId = Long.toString(new Random().nextLong() & Long.MAX_VALUE, 36);
        RequestListener listener = outcome -> {
            requests.increment();
            latencies.record(outcome.latency().toNanos());
            if (outcome.willRetry()) {
                retries.increment();
            }
        };
        BudgetGuardClient client = BudgetGuardClient.builder(options.url(), options.apiKey())
                .batchSize(options.batch())
                .maxInFlight(options.concurrency())
                .maxQueuedEvents(Math.max(10_000, options.batch() * options.concurrency() * 2))
                .linger(Duration.ofMillis(5))
                .listener(listener)
                .build();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "load-progress");
            thread.setDaemon(true);
            return thread;
        });
        out.printf(Locale.ROOT, "[load] sending %d events to %s (rate %s, batch %d, concurrency %d, duplicates %.0f %%)%n",
                options.events(), options.url(), options.rate() == 0 ? "max" : String.format(Locale.ROOT, "%.0f/s", options.rate()),
                options.batch(), options.concurrency(), options.duplicates() * 100);
        out.flush();
        long started = System.nanoTime();
        Progress progress = new Progress(started);
        ticker.scheduleAtFixedRate(progress::print, 1, 1, TimeUnit.SECONDS);
        try {
            generate(client, runId, started);
            client.flush();
        } finally {
            ticker.shutdownNow();
            client.close(Duration.ofSeconds(60));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        LoadReport report = new LoadReport(distinct.get(), duplicates.get(), acked.sum(), rejected.sum(), lost.sum(),
                retries.sum(), requests.sum(), elapsed, latencies.overall(),
                client.lastBudgetStatus().map(s -> s.name().toLowerCase(Locale.ROOT)).orElse("unknown"));
        out.println("[load] " + report.summary());
        if (firstRejection.get() != null) {
            out.println("[load] first rejection: " + firstRejection.get());
        }
        if (firstLoss.get() != null) {
            out.println("[load] first loss: " + firstLoss.get());
        }
        out.flush();
        return report;
    }

    private void generate(BudgetGuardClient client, String runId, long startedNanos) {
        SplittableRandom random = new SplittableRandom();
        UsageEvent[] recent = new UsageEvent[RECENT];
        double nanosPerEvent = options.rate() == 0 ? 0 : 1e9 / options.rate();
        for (long i = 0; i < options.events(); i++) {
            if (nanosPerEvent > 0) {
                long wait = startedNanos + (long) (i * nanosPerEvent) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            UsageEvent event = event(runId, i, random);
            track(client.send(event));
            distinct.incrementAndGet();
            recent[(int) (i % RECENT)] = event;
            if (options.duplicates() > 0 && random.nextDouble() < options.duplicates()) {
                track(client.send(recent[random.nextInt((int) Math.min(i + 1, RECENT))]));
                duplicates.incrementAndGet();
            }
        }
    }

    private UsageEvent event(String runId, long n, SplittableRandom random) {
        LoadOptions.Model model = options.models().get(random.nextInt(options.models().size()));
        return UsageEvent.of("load-" + runId + "-" + n, Instant.now(), model.provider(), model.model(),
                200 + random.nextInt(4_000), 20 + random.nextInt(800));
    }

    private void track(CompletableFuture<Ack> future) {
        future.whenComplete((ack, error) -> {
            if (error == null) {
                acked.increment();
            } else if (error instanceof UsageRejectedException) {
                rejected.increment();
                firstRejection.compareAndSet(null, error.getMessage());
            } else {
                lost.increment();
                firstLoss.compareAndSet(null, error.getMessage());
            }
        });
    }

    /** The once-a-second progress line. */
    private final class Progress {
        private final long startedNanos;
        private long lastNanos;
        private long lastAcked;

        Progress(long startedNanos) {
            this.startedNanos = startedNanos;
            this.lastNanos = startedNanos;
        }

        void print() {
            long now = System.nanoTime();
            long ackedNow = acked.sum();
            double rate = (ackedNow - lastAcked) / ((now - lastNanos) / 1e9);
            lastNanos = now;
            lastAcked = ackedNow;
            LatencyRecorder.Percentiles interval = latencies.takeInterval();
            out.printf(Locale.ROOT, "[load] %3ds sent=%d acked=%d retried=%d rejected=%d lost=%d rate=%.0f ev/s "
                            + "p50=%.1f ms p99=%.1f ms%n",
                    Math.round((now - startedNanos) / 1e9), distinct.get() + duplicates.get(), ackedNow, retries.sum(),
                    rejected.sum(), lost.sum(), rate, interval.p50Millis(), interval.p99Millis());
            out.flush();
        }
    }
}
