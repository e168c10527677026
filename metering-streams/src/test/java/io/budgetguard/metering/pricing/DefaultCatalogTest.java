package io.budgetguard.metering.pricing;

import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ModelPrice;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The default catalog ({@code infra/src/main/resources/prices/default-catalog.json}), in the admin API's shape. */
class DefaultCatalogTest {

    private static final Instant MAR_10 = Instant.parse("2026-03-10T12:00:00Z");
    private JsonNode catalog;
    private MeteringDriver metering;

    @BeforeEach
    void load() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/prices/default-catalog.json")) {
            assertThat(in).as("default catalog on the classpath").isNotNull();
            catalog = new ObjectMapper().readTree(in);
        }
        metering = new MeteringDriver();
    }

    @AfterEach
    void close() {
        metering.close();
    }

    @Test
    void shouldListAtLeastFifteenModelsOfTheFourMainProvidersWithSourceAndDate() {
        List<JsonNode> prices = new ArrayList<>();
        catalog.path("prices").forEach(prices::add);

        assertThat(catalog.path("version").asText()).isNotBlank();
        assertThat(Instant.parse(catalog.path("effective_from").asText())).isNotNull();
        assertThat(prices).hasSizeGreaterThanOrEqualTo(15);
        assertThat(prices.stream().map(p -> p.path("provider").asText()).collect(Collectors.toSet()))
                .containsAll(Set.of("openai", "anthropic", "google", "mistral"));
        assertThat(prices).allSatisfy(price -> {
            for (String field : List.of("input_per_mtok", "cached_input_per_mtok", "cache_write_per_mtok",
                    "output_per_mtok")) {
                assertThat(price.path(field).isTextual()).as(field + " is a decimal string").isTrue();
                assertThat(new BigDecimal(price.path(field).asText())).isNotNegative();
            }
            assertThat(price.path("source").asText()).startsWith("https://");
            assertThat(LocalDate.parse(price.path("as_of").asText())).isNotNull();
        });
        assertThat(prices.stream().map(p -> p.path("provider").asText() + "/" + p.path("model").asText()))
                .doesNotHaveDuplicates();
    }

    @Test
    void shouldPriceCommonModelsWithTheCatalog() {
        catalogPrices().forEach(metering::price);

        metering.send(withOutput(event("acme", "k1", "gpt", MAR_10, "gpt-4o", 1_000_000), 1_000_000))
                .send(withOutput(event("acme", "k1", "claude", MAR_10, "claude-sonnet-4-5-20250929", 1_000_000),
                        1_000_000));

        assertThat(metering.priced()).extracting(PricedUsage::getCostUsd, PricedUsage::getPriceVersion)
                .containsExactly(
                        tuple(usd("12.50"), catalog.path("version").asText()),
                        tuple(usd("18"), catalog.path("version").asText()));
    }

    /** What the admin API writes to control.prices.v1 for the catalog: one record per model. */
    private List<ModelPrice> catalogPrices() {
        List<ModelPrice> prices = new ArrayList<>();
        Instant effectiveFrom = Instant.parse(catalog.path("effective_from").asText());
        for (JsonNode price : catalog.path("prices")) {
            prices.add(ModelPrice.newBuilder()
                    .setProvider(price.path("provider").asText())
                    .setModel(price.path("model").asText())
                    .setVersion(catalog.path("version").asText())
                    .setEffectiveFrom(effectiveFrom)
                    .setInputPerMtok(usd(price.path("input_per_mtok").asText()))
                    .setCachedInputPerMtok(usd(price.path("cached_input_per_mtok").asText()))
                    .setCacheWritePerMtok(usd(price.path("cache_write_per_mtok").asText()))
                    .setOutputPerMtok(usd(price.path("output_per_mtok").asText()))
                    .setSource(price.path("source").asText())
                    .setAsOf(price.path("as_of").asText())
                    .build());
        }
        return prices;
    }

    private static UsageEvent withOutput(UsageEvent event, long outputTokens) {
        return UsageEvent.newBuilder(event).setProvider(event.getModel().startsWith("claude") ? "anthropic" : "openai")
                .setOutputTokens(outputTokens).build();
    }
}
