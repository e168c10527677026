package io.budgetguard.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * The chaos check's own pricing, written from PRODUCT.md §3.3 rather than taken from the services (so that a pricing
 * bug in metering-streams cannot hide itself): per token class {@code tokens × USD per million / 10^6}, rounded
 * half-even to 1e-9, summed; a model absent from the catalog costs 0. One catalog version only (the chaos run loads
 * the default catalog, effective long before any event it sends).
 */
public final class Prices {

    /** USD per million tokens of each class. */
    record Rates(BigDecimal input, BigDecimal cachedInput, BigDecimal cacheWrite, BigDecimal output) {}

    private static final BigDecimal MILLION = new BigDecimal(1_000_000);
    private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(9);

    private final Map<String, Rates> rates;

    Prices(Map<String, Rates> rates) {
        this.rates = Map.copyOf(rates);
    }

    /** The catalog in the {@code PUT /admin/prices} shape. */
    public static Prices fromCatalog(String catalogJson) {
        try {
            JsonNode root = Json.MAPPER.readTree(catalogJson);
            Map<String, Rates> rates = new HashMap<>();
            for (JsonNode price : root.path("prices")) {
                rates.put(price.path("provider").asText() + "/" + price.path("model").asText(), new Rates(
                        new BigDecimal(price.path("input_per_mtok").asText()),
                        new BigDecimal(price.path("cached_input_per_mtok").asText("0")),
                        new BigDecimal(price.path("cache_write_per_mtok").asText("0")),
                        new BigDecimal(price.path("output_per_mtok").asText())));
            }
            return new Prices(rates);
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable price catalog", e);
        }
    }

    public boolean isPriced(String provider, String model) {
        return rates.containsKey(provider + "/" + model);
    }

    /** The event's cost in USD, scale 9. */
    public BigDecimal cost(ChaosEvent event) {
        Rates r = rates.get(event.provider() + "/" + event.model());
        if (r == null) {
            return ZERO;
        }
        return part(event.inputTokens(), r.input())
                .add(part(event.cachedInputTokens(), r.cachedInput()))
                .add(part(event.cacheWriteTokens(), r.cacheWrite()))
                .add(part(event.outputTokens(), r.output()));
    }

    private static BigDecimal part(long tokens, BigDecimal perMillion) {
        return new BigDecimal(tokens).multiply(perMillion).divide(MILLION, 9, RoundingMode.HALF_EVEN);
    }
}
