package io.budgetguard.bench.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.json.Json;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/** The default price catalog, realistic budgets and events (UUID event ids, token mixes of real calls). */
final class SampleData {

    private final List<ModelPrice> catalog;
    private final SplittableRandom random = new SplittableRandom(42);

    SampleData() {
        this.catalog = loadCatalog();
    }

    List<ModelPrice> catalog() {
        return catalog;
    }

    static String tenant(String prefix, int i) {
        return String.format("%s-%04d", prefix, i);
    }

    static String apiKey(String tenant, int k) {
        return "k-" + tenant + "-" + k;
    }

    /** A monthly tenant-wide budget, a daily budget of its first key, a monthly budget of one model. */
    List<Budget> budgetsOf(String tenant) {
        ModelPrice model = catalog.get(Math.floorMod(tenant.hashCode(), catalog.size()));
        return List.of(
                budget(tenant, "monthly", "5000", "monthly", List.of(50, 80, 100), null, null),
                budget(tenant, "key-daily", "200", "daily", List.of(80, 100), apiKey(tenant, 0), null),
                budget(tenant, "model-cap", "1000", "monthly", List.of(90), null, model.getModel()));
    }

    static Budget budget(String tenant, String id, String limit, String period, List<Integer> thresholds,
            String apiKeyId, String model) {
        return Budget.newBuilder()
                .setTenantId(tenant).setBudgetId(id).setLimitUsd(new BigDecimal(limit).setScale(9))
                .setPeriod(period).setThresholds(thresholds).setApiKeyId(apiKeyId).setModel(model)
                .setUpdatedAt(Instant.now()).build();
    }

    /** An event of a random model of the catalog (1 % of an unknown model), three keys per tenant. */
    UsageEvent event(String tenant, Instant occurredAt) {
        boolean unknown = random.nextInt(100) == 0;
        ModelPrice model = catalog.get(random.nextInt(catalog.size()));
        return UsageEvent.newBuilder()
                .setTenantId(tenant)
                .setApiKeyId(apiKey(tenant, random.nextInt(3)))
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(occurredAt)
                .setReceivedAt(occurredAt.plusMillis(3))
                .setProvider(unknown ? "openai" : model.getProvider())
                .setModel(unknown ? "some-new-model" : model.getModel())
                .setInputTokens(100 + random.nextInt(4_000))
                .setCachedInputTokens(random.nextInt(3) == 0 ? random.nextInt(2_000) : 0)
                .setCacheWriteTokens(random.nextInt(10) == 0 ? random.nextInt(1_000) : 0)
                .setOutputTokens(50 + random.nextInt(1_500))
                .setReasoningTokens(0)
                .setEndUser(null)
                .setMetadata(Map.of())
                .build();
    }

    private static List<ModelPrice> loadCatalog() {
        try (InputStream in = SampleData.class.getResourceAsStream("/prices/default-catalog.json")) {
            if (in == null) {
                throw new IllegalStateException("default price catalog not on the classpath (infra jar)");
            }
            JsonNode root = Json.MAPPER.readTree(in);
            List<ModelPrice> prices = new ArrayList<>();
            for (JsonNode p : root.path("prices")) {
                prices.add(ModelPrice.newBuilder()
                        .setProvider(p.path("provider").asText())
                        .setModel(p.path("model").asText())
                        .setVersion(root.path("version").asText())
                        .setEffectiveFrom(Instant.parse(root.path("effective_from").asText()))
                        .setInputPerMtok(decimal(p, "input_per_mtok"))
                        .setCachedInputPerMtok(decimal(p, "cached_input_per_mtok"))
                        .setCacheWritePerMtok(decimal(p, "cache_write_per_mtok"))
                        .setOutputPerMtok(decimal(p, "output_per_mtok"))
                        .setSource(p.path("source").asText())
                        .setAsOf(p.path("as_of").asText())
                        .build());
            }
            return List.copyOf(prices);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BigDecimal decimal(JsonNode price, String field) {
        return new BigDecimal(price.path(field).asText()).setScale(9);
    }
}
