package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.testing.Fixtures;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PricedUsageMapperTest {

    private final PricedUsageMapper mapper = new PricedUsageMapper();

    @Test
    void shouldCopyEveryLedgerFieldAndTheSourcePosition() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1").build(), 3, 42);

        assertThat(content).isEqualTo(new EntryContent("acme", "evt-1", "k0123456789abcde", Fixtures.OCCURRED,
                Fixtures.OCCURRED.plusMillis(40), "openai", "gpt-4o", 1000, 200, 0, 300, 0, new BigDecimal("0.005750000"),
                "2025-03-01", "", "", 3, 42));
    }

    @Test
    void shouldKeepAnUnpricedEventWithAnEmptyPriceVersion() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1").setUnpriced(true).setPriceVersion("")
                .setCostUsd(new BigDecimal("0.000000000")).build(), 0, 0);

        assertThat(content.priceVersion()).isEmpty();
        assertThat(content.costUsd()).isEqualByComparingTo("0");
    }

    @Test
    void shouldNeverStoreEndUserOrMetadataInPlaintext() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1").setEndUser("alice@example.com")
                .setMetadata(Map.of("customer", "Alice Example")).build(), 0, 0);

        assertThat(content.endUserCt()).isEmpty();
        assertThat(content.metadataCt()).isEmpty();
        assertThat(mapper.personalDataNotStored()).isEqualTo(1);
    }

    @Test
    void shouldTruncateOccurredAtToMilliseconds() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1")
                .setOccurredAt(Instant.parse("2025-03-01T12:00:00.123456Z")).build(), 0, 0);

        assertThat(content.occurredAt()).isEqualTo(Instant.parse("2025-03-01T12:00:00.123Z"));
    }

    @Test
    void shouldRefuseATextPostgresqlCannotStore() {
        assertThatThrownBy(() -> mapper.map(Fixtures.priced("acme", "evt-1").setModel("gpt\u0000x").build(), 2, 7))
                .isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("partition 2 offset 7")
                .hasMessageContaining("model");
    }

    @Test
    void shouldRefuseALoneSurrogate() {
        assertThatThrownBy(() -> mapper.map(Fixtures.priced("acme", "evt-1").setModel("gpt\ud800").build(), 0, 0))
                .isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("lone surrogate");
    }

    @Test
    void shouldRefuseACostWithMoreThanNineFractionDigits() {
        assertThatThrownBy(() -> mapper.map(Fixtures.priced("acme", "evt-1")
                .setCostUsd(new BigDecimal("0.0000000001")).build(), 0, 0))
                .isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("fraction digits");
    }

    @Test
    void shouldRefuseATombstone() {
        assertThatThrownBy(() -> mapper.map(null, 1, 9)).isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("tombstone");
    }
}
