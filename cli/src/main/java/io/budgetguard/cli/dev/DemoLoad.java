package io.budgetguard.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.client.Ack;
import io.budgetguard.client.BudgetGuardClient;
import io.budgetguard.client.UsageEvent;
import io.budgetguard.common.json.Json;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code dev --demo}: sends batches of usage for the demo tenant and prints the budget status and every alert as it
 * arrives on {@code budget.alerts.v1}, so a new user sees spend rise and alerts fire.
 */
final class DemoLoad implements AutoCloseable {

    private static final List<String[]> MODELS = List.of(
            new String[] {"openai", "gpt-4o"}, new String[] {"anthropic", "claude-sonnet-4-5"}, new String[] {"openai", "gpt-4o-mini"});

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sender;
    private final Thread alerts;

    private DemoLoad(Thread sender, Thread alerts) {
        this.sender = sender;
        this.alerts = alerts;
    }

    static DemoLoad start(DevStack dev, PrintWriter out) {
        Map<String, String> env = dev.env().values();
        DemoLoad[] self = new DemoLoad[1];
        Thread sender = new Thread(() -> sendLoop(self[0], env, out), "demo-load");
        Thread alerts = new Thread(() -> alertLoop(self[0], env, out), "demo-alerts");
        self[0] = new DemoLoad(sender, alerts);
        sender.setDaemon(true);
        alerts.setDaemon(true);
        alerts.start();
        sender.start();
        return self[0];
    }

    private static void sendLoop(DemoLoad self, Map<String, String> env, PrintWriter out) {
        HttpClient http = HttpClient.newHttpClient();
        URI status = URI.create(env.get("INGEST_URL") + "/v1/budgets/status");
        String auth = "Bearer " + env.get("DEMO_API_KEY");
        long sent = 0;
        long lastReport = 0;
        // ids unique per run: a dev stack kept from an earlier run has seen demo-1, demo-2, … and would drop them as duplicates
        String run = Long.toString(System.currentTimeMillis(), 36);
        BudgetGuardClient client = BudgetGuardClient.builder(env.get("INGEST_URL"), env.get("DEMO_API_KEY")).build();
        try {
            while (self.running.get()) {
                try {
                    List<UsageEvent> events = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        String[] model = MODELS.get(ThreadLocalRandom.current().nextInt(MODELS.size()));
                        events.add(UsageEvent.of("demo-" + run + "-" + (++sent), Instant.now(), model[0], model[1],
                                5_000 + ThreadLocalRandom.current().nextInt(20_000),
                                500 + ThreadLocalRandom.current().nextInt(2_000)));
                    }
                    Ack ack = client.sendBatch(events).get(60, TimeUnit.SECONDS);
                    if (System.currentTimeMillis() - lastReport > 2_000) {
                        lastReport = System.currentTimeMillis();
                        JsonNode st = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(status).header("Authorization", auth).build(),
                                HttpResponse.BodyHandlers.ofString()).body());
                        out.printf("[demo] sent %d events (X-Budget-Status %s) status: %s%n", sent,
                                ack.budgetStatus().map(s -> s.name().toLowerCase(Locale.ROOT)).orElse("-"), st);
                        out.flush();
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    out.println("[demo] " + (e instanceof ExecutionException && e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
                    out.flush();
                }
            }
        } finally {
            client.close(Duration.ofSeconds(5));
        }
    }

    private static void alertLoop(DemoLoad self, Map<String, String> env, PrintWriter out) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP"),
                ConsumerConfig.GROUP_ID_CONFIG, "budgetguard-demo-alerts",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, BudgetAlert> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                Topics.BUDGET_ALERTS.valueSerde(new HttpSchemaRegistry(env.get("SCHEMA_REGISTRY_URL"))))) {
            consumer.subscribe(List.of(Topics.BUDGET_ALERTS.name()));
            while (self.running.get()) {
                for (ConsumerRecord<String, BudgetAlert> record : consumer.poll(Duration.ofMillis(500))) {
                    BudgetAlert a = record.value();
                    out.printf("[demo] ALERT tenant=%s budget=%s crossed %d%%: spend %s of %s USD (event %s)%n",
                            a.getTenantId(), a.getBudgetId(), a.getThresholdPercent(), a.getSpendUsd().toPlainString(),
                            a.getLimitUsd().toPlainString(), a.getEventId());
                    out.flush();
                }
            }
        } catch (Exception e) {
            out.println("[demo] alert reader stopped: " + e.getMessage());
            out.flush();
        }
    }

    @Override
    public void close() {
        running.set(false);
        sender.interrupt();
    }
}
