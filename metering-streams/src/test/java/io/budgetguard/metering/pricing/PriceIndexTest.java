package io.budgetguard.metering.pricing;

import static io.budgetguard.metering.testing.Fixtures.price;
import static io.budgetguard.metering.testing.Fixtures.priceKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.schemas.control.ModelPrice;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceIndexTest {

    private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant FEB = Instant.parse("2026-02-01T00:00:00Z");
    private static final Instant MAR = Instant.parse("2026-03-01T00:00:00Z");
    private final PriceIndex index = new PriceIndex();

    @Test
    void shouldFindTheLatestVersionEffectiveAtOrBeforeTheInstant() {
        put(price("openai", "m", "jan", JAN, "1", "1", "1", "1"));
        put(price("openai", "m", "mar", MAR, "3", "3", "3", "3"));
        put(price("openai", "m", "feb", FEB, "2", "2", "2", "2"));

        assertThat(index.priceAt("openai", "m", JAN.minusMillis(1))).isEmpty();
        assertThat(index.priceAt("openai", "m", JAN).map(ModelPrice::getVersion)).contains("jan");
        assertThat(index.priceAt("openai", "m", FEB.minusMillis(1)).map(ModelPrice::getVersion)).contains("jan");
        assertThat(index.priceAt("openai", "m", FEB.plusSeconds(5)).map(ModelPrice::getVersion)).contains("feb");
        assertThat(index.priceAt("openai", "m", MAR.plusSeconds(86_400 * 400L)).map(ModelPrice::getVersion))
                .contains("mar");
    }

    @Test
    void shouldPreferTheGreaterVersionLabelWhenTwoTakeEffectAtTheSameInstant() {
        put(price("openai", "m", "2026-02", FEB, "2", "2", "2", "2"));
        put(price("openai", "m", "2026-01", FEB, "1", "1", "1", "1"));

        assertThat(index.priceAt("openai", "m", FEB).map(ModelPrice::getVersion)).contains("2026-02");
    }

    @Test
    void shouldReplaceAVersionRewrittenUnderTheSameKey() {
        put(price("openai", "m", "v1", JAN, "1", "1", "1", "1"));
        put(price("openai", "m", "v1", JAN, "9", "1", "1", "1"));

        assertThat(index.priceAt("openai", "m", FEB).map(p -> p.getInputPerMtok().toPlainString()))
                .contains("9.000000000");
    }

    @Test
    void shouldForgetADeletedVersion() {
        ModelPrice jan = price("openai", "m", "jan", JAN, "1", "1", "1", "1");
        put(jan);
        put(price("openai", "m", "feb", FEB, "2", "2", "2", "2"));

        index.remove(priceKey(jan));

        assertThat(index.priceAt("openai", "m", JAN)).isEmpty();
        assertThat(index.priceAt("openai", "m", MAR).map(ModelPrice::getVersion)).contains("feb");
    }

    @Test
    void shouldKeepProvidersApart() {
        put(price("openai", "m", "v1", JAN, "1", "1", "1", "1"));

        assertThat(index.priceAt("azure", "m", FEB)).isEmpty();
    }

    @Test
    void shouldFallBackFromADatedModelNameToItsUndatedName() {
        put(price("anthropic", "claude-sonnet-4", "v1", JAN, "3", "0.3", "3.75", "15"));

        assertThat(index.priceAt("anthropic", "claude-sonnet-4-20250514", FEB)).isPresent();
        assertThat(index.priceAt("openai", "claude-sonnet-4-20250514", FEB)).isEmpty();
        assertThat(index.priceAt("anthropic", "claude-sonnet-4-turbo", FEB)).isEmpty();
    }

    @Test
    void shouldReplaceEverythingOnReplaceAll() {
        put(price("openai", "old", "v1", JAN, "1", "1", "1", "1"));
        ModelPrice fresh = price("openai", "new", "v1", JAN, "1", "1", "1", "1");

        index.replaceAll(Map.of(priceKey(fresh), fresh));

        assertThat(index.priceAt("openai", "old", FEB)).isEmpty();
        assertThat(index.priceAt("openai", "new", FEB)).isPresent();
    }

    private void put(ModelPrice price) {
        index.put(priceKey(price), price);
    }
}
