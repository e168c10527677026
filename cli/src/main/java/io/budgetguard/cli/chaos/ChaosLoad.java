package io.budgetguard.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.cli.admin.AdminClient;
import io.budgetguard.client.Ack;
import io.budgetguard.client.BudgetGuardClient;
import io.budgetguard.client.RequestListener;
import io.budgetguard.client.RetryPolicy;
import io.budgetguard.client.UsageRejectedException;
import io.budgetguard.common.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The chaos run's load generator: creates the plan's tenants (each with a developer key and two budgets) through the
 * admin API, waits until every ingest instance and metering-streams know them, then sends the plan's events through
 * the gateway client at a steady rate — each tenant has one client per ingest instance and every send picks one at
 * random, so a killed instance stalls only its share while its clients retry — and resends a fraction of recent events
 * with the same event id (through either instance, so duplicates span requests and instances). Records for every
 * distinct event whether any of its sends was acknowledged with 202.
 */
public final class ChaosLoad {

    /** Resent events are drawn from the latest this many (several requests' worth). */
    private static final int RECENT = 4096;

    /**
     * @param rate events per second (distinct), 0 = as fast as the clients go
     */
    public record Options(List<String> ingestUrls, String streamsUrl, String adminKey, double rate, double duplicates,
            int batch, Duration readyTimeout) {}

    private final ChaosPlan plan;
    private final Options options;
    private final PrintWriter out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LongAdder sends = new LongAdder();
    private final LongAdder duplicateSends = new LongAdder();
    private final LongAdder ackedSends = new LongAdder();
    private final LongAdder failedSends = new LongAdder();
    private final LongAdder rejectedSends = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder retriedRequests = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();

    public ChaosLoad(ChaosPlan plan, Options options, PrintWriter out) {
        this.plan = plan;
        this.options = options;
        this.out = out;
    }

    /** Sets up the tenants, sends everything and returns the journal. */
    public ChaosJournal run() throws InterruptedException {
        Map<String, String> keys = setUp();
        return send(keys);
    }

    Map<String, String> setUp() throws InterruptedException {
        AdminClient admin = new AdminClient(options.ingestUrls().get(0), options.adminKey());
        Map<String, String> keys = new LinkedHashMap<>();
        for (String tenant : plan.tenants()) {
            admin.createTenant(tenant, "Chaos tenant " + tenant, 1_000_000);
            keys.put(tenant, admin.createApiKey(tenant, "developer").apiKey());
        }
        for (BudgetDef b : plan.budgets()) {
            admin.putBudget(b.tenant(), b.budgetId(), b.limitUsd(), b.period(), b.thresholds(), b.model());
        }
        long deadline = System.nanoTime() + options.readyTimeout().toNanos();
        for (Map.Entry<String, String> key : keys.entrySet()) {
            for (String ingest : options.ingestUrls()) {
                awaitOk(URI.create(ingest + "/v1/budgets/status"), key.getValue(), deadline, null);
            }
            awaitOk(URI.create(options.streamsUrl() + "/v1/spend"), key.getValue(), deadline,
                    body -> body.path("budgets").size() == 2);
        }
        out.printf(Locale.ROOT, "[chaos] %d tenants, %d budgets created; every ingest instance and streams know them%n",
                keys.size(), plan.budgets().size());
        out.flush();
        return keys;
    }

    private void awaitOk(URI uri, String apiKey, long deadline, java.util.function.Predicate<JsonNode> accept)
            throws InterruptedException {
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200
                        && (accept == null || accept.test(Json.MAPPER.readTree(response.body())))) {
                    return;
                }
                last = "HTTP " + response.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Timed out waiting for " + uri.getScheme() + "://" + uri.getAuthority()
                + uri.getPath() + " to accept a chaos tenant's key: " + last);
    }

    ChaosJournal send(Map<String, String> keys) {
        RequestListener listener = outcome -> {
            requests.increment();
            statuses.computeIfAbsent(outcome.status(), s -> new LongAdder()).increment();
            if (outcome.willRetry()) {
                retriedRequests.increment();
            }
        };
        // Long enough to ride out an instance's restart or a broker restart (about 3 minutes of retrying).
        RetryPolicy retry = RetryPolicy.defaults().withMaxAttempts(100).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        Map<String, List<BudgetGuardClient>> clients = new LinkedHashMap<>();
        for (Map.Entry<String, String> key : keys.entrySet()) {
            List<BudgetGuardClient> perInstance = new ArrayList<>();
            for (String url : options.ingestUrls()) {
                perInstance.add(BudgetGuardClient.builder(url, key.getValue())
                        .batchSize(options.batch()).linger(Duration.ofMillis(50)).maxInFlight(2)
                        .maxQueuedEvents(100_000).maxBlock(Duration.ofMinutes(5))
                        .requestTimeout(Duration.ofSeconds(30)).retryPolicy(retry).listener(listener).build());
            }
            clients.put(key.getKey(), perInstance);
        }
        List<ChaosPlan.Planned> planned = plan.events();
        ChaosEvent[] sentEvents = new ChaosEvent[planned.size()];
        AtomicIntegerArray acked = new AtomicIntegerArray(planned.size());
        SplittableRandom random = new SplittableRandom(plan.seed() ^ 0x5DEECE66DL);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "chaos-progress");
            thread.setDaemon(true);
            return thread;
        });
        long started = System.nanoTime();
        out.printf(Locale.ROOT, "[chaos] sending %d events at %s to %s, duplicates %.0f %%%n", planned.size(),
                options.rate() == 0 ? "max rate" : String.format(Locale.ROOT, "%.0f/s", options.rate()),
                options.ingestUrls(), options.duplicates() * 100);
        out.flush();
        ticker.scheduleAtFixedRate(() -> progress(started), 2, 2, TimeUnit.SECONDS);
        double nanosPerEvent = options.rate() == 0 ? 0 : 1e9 / options.rate();
        try {
            for (int i = 0; i < planned.size(); i++) {
                if (nanosPerEvent > 0) {
                    long wait = started + (long) (i * nanosPerEvent) - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                ChaosPlan.Planned p = planned.get(i);
                ChaosEvent event = p.at(Instant.now());
                sentEvents[i] = event;
                List<BudgetGuardClient> tenantClients = clients.get(p.tenant());
                track(tenantClients.get(random.nextInt(tenantClients.size())).send(event.toUsageEvent()), acked, i);
                if (options.duplicates() > 0 && random.nextDouble() < options.duplicates()) {
                    int again = i - random.nextInt(Math.min(i + 1, RECENT));
                    List<BudgetGuardClient> againClients = clients.get(planned.get(again).tenant());
                    track(againClients.get(random.nextInt(againClients.size())).send(sentEvents[again].toUsageEvent()),
                            acked, again);
                    duplicateSends.increment();
                }
            }
            clients.values().forEach(list -> list.forEach(BudgetGuardClient::flush));
        } finally {
            clients.values().forEach(list -> list.forEach(c -> c.close(Duration.ofSeconds(60))));
            ticker.shutdownNow();
        }
        progress(started);
        List<ChaosJournal.Sent> sent = new ArrayList<>(planned.size());
        long ackedDistinct = 0;
        for (int i = 0; i < planned.size(); i++) {
            boolean ok = acked.get(i) == 1;
            ackedDistinct += ok ? 1 : 0;
            sent.add(new ChaosJournal.Sent(sentEvents[i], ok));
        }
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("sends", sends.sum());
        stats.put("distinct", (long) planned.size());
        stats.put("duplicate_sends", duplicateSends.sum());
        stats.put("acked_sends", ackedSends.sum());
        stats.put("acked_distinct", ackedDistinct);
        stats.put("failed_sends", failedSends.sum());
        stats.put("rejected_sends", rejectedSends.sum());
        stats.put("requests", requests.sum());
        stats.put("retried_requests", retriedRequests.sum());
        stats.put("load_millis", (System.nanoTime() - started) / 1_000_000);
        statuses.forEach((status, count) -> stats.put("status_" + status, count.sum()));
        out.printf(Locale.ROOT, "[chaos] load done: %d sends (%d distinct + %d duplicates), %d distinct acknowledged, "
                        + "%d sends failed, %d rejected, %d requests (%d retried), statuses %s%n",
                sends.sum(), planned.size(), duplicateSends.sum(), ackedDistinct, failedSends.sum(), rejectedSends.sum(),
                requests.sum(), retriedRequests.sum(), new java.util.TreeMap<>(statuses));
        if (firstFailure.get() != null) {
            out.println("[chaos] first failed send: " + firstFailure.get());
        }
        out.flush();
        return new ChaosJournal(keys, plan.budgets(), sent, stats);
    }

    private void track(CompletableFuture<Ack> future, AtomicIntegerArray acked, int index) {
        sends.increment();
        future.whenComplete((ack, error) -> {
            if (error == null) {
                ackedSends.increment();
                acked.set(index, 1);
            } else {
                (error instanceof UsageRejectedException ? rejectedSends : failedSends).increment();
                firstFailure.compareAndSet(null, error.toString());
            }
        });
    }

    private void progress(long started) {
        out.printf(Locale.ROOT, "[chaos] %4ds sends=%d acked=%d failed=%d requests=%d retried=%d%n",
                (System.nanoTime() - started) / 1_000_000_000L, sends.sum(), ackedSends.sum(),
                failedSends.sum() + rejectedSends.sum(), requests.sum(), retriedRequests.sum());
        out.flush();
    }
}
