package io.budgetguard.metering.topology;

import static io.budgetguard.metering.testing.Fixtures.PROVIDER;
import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.price;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static io.budgetguard.metering.testing.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PricingTest {

    private static final Instant JAN_1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant MAR_1 = Instant.parse("2026-03-01T00:00:00Z");
    private MeteringDriver metering;

    @BeforeEach
    void start() {
        metering = new MeteringDriver();
    }

    @AfterEach
    void close() {
        metering.close();
    }

    @Test
    void shouldPriceEachEventWithTheVersionInForceAtItsOccurredAt() {
        metering.price(testModelPrice("2026-01", JAN_1))
                .price(price(PROVIDER, "test-model", "2026-03", MAR_1, "2", "1", "2.5", "4"));

        metering.send(event("acme", "before", MAR_1.minusMillis(1), 1_000_000))
                .send(event("acme", "at", MAR_1, 1_000_000))
                .send(event("acme", "after", MAR_1.plusSeconds(3600), 1_000_000));

        assertThat(metering.priced())
                .extracting(PricedUsage::getEventId, PricedUsage::getPriceVersion, PricedUsage::getCostUsd)
                .containsExactly(
                        tuple("before", "2026-01", usd("1")),
                        tuple("at", "2026-03", usd("2")),
                        tuple("after", "2026-03", usd("2")));
    }

    @Test
    void shouldPriceAnEventOfAnUnknownModelAtZeroFlaggedUnpriced() {
        metering.price(testModelPrice("2026-01", JAN_1));

        metering.send(event("acme", "k1", "evt-1", MAR_1, "mystery-model", 5000));

        assertThat(metering.priced()).singleElement().satisfies(priced -> {
            assertThat(priced.getUnpriced()).isTrue();
            assertThat(priced.getPriceVersion()).isEmpty();
            assertThat(priced.getCostUsd()).isEqualTo(usd("0"));
            assertThat(priced.getInputCostUsd()).isEqualTo(usd("0"));
            assertThat(priced.getInputTokens()).isEqualTo(5000);
        });
        assertThat(metering.counter(MeteringMetrics.UNPRICED)).isEqualTo(1.0);
    }

    @Test
    void shouldLeaveAnEventUnpricedWhenItOccurredBeforeTheFirstPriceVersion() {
        metering.price(testModelPrice("2026-03", MAR_1));

        metering.send(event("acme", "evt-1", MAR_1.minusSeconds(1), 5000));

        assertThat(metering.priced()).singleElement().satisfies(p -> assertThat(p.getUnpriced()).isTrue());
    }

    @Test
    void shouldPriceEveryTokenClassAndSumThemExactly() {
        metering.price(price(PROVIDER, "claude-test", "v1", JAN_1, "3", "0.30", "3.75", "15"));
        UsageEvent event = UsageEvent.newBuilder(event("acme", "k1", "evt-1", MAR_1, "claude-test", 1234))
                .setCachedInputTokens(5678).setCacheWriteTokens(910).setOutputTokens(1112).setReasoningTokens(100)
                .build();

        metering.send(event);

        assertThat(metering.priced()).singleElement().satisfies(priced -> {
            assertThat(priced.getInputCostUsd()).isEqualTo(usd("0.003702"));
            assertThat(priced.getCachedInputCostUsd()).isEqualTo(usd("0.0017034"));
            assertThat(priced.getCacheWriteCostUsd()).isEqualTo(usd("0.0034125"));
            assertThat(priced.getOutputCostUsd()).isEqualTo(usd("0.01668"));
            assertThat(priced.getCostUsd()).isEqualTo(usd("0.0254979"));
            assertThat(priced.getReasoningTokens()).isEqualTo(100);
            assertThat(priced.getUnpriced()).isFalse();
        });
    }

    @Test
    void shouldRoundEachClassCostHalfEvenToOneNanoDollar() {
        metering.price(price(PROVIDER, "tiny", "v1", JAN_1, "0.0025", "0", "0", "0.0025"));
        // 1 token × $0.0025/M = 2.5e-9 → 2e-9 (half-even; half-up would give 3e-9); 3 tokens = 7.5e-9 → 8e-9
        UsageEvent event = UsageEvent.newBuilder(event("acme", "k1", "evt-1", MAR_1, "tiny", 1))
                .setOutputTokens(3).build();

        metering.send(event);

        assertThat(metering.priced()).singleElement().satisfies(priced -> {
            assertThat(priced.getInputCostUsd()).isEqualTo(usd("0.000000002"));
            assertThat(priced.getOutputCostUsd()).isEqualTo(usd("0.000000008"));
            assertThat(priced.getCostUsd()).isEqualTo(usd("0.000000010"));
        });
    }

    @Test
    void shouldPriceADatedSnapshotNameWithItsAliasPriceUnlessTheSnapshotHasItsOwn() {
        metering.price(price(PROVIDER, "gpt-4o", "v1", JAN_1, "2.50", "1.25", "0", "10"))
                .price(price(PROVIDER, "gpt-4o-2024-05-13", "v1", JAN_1, "5", "5", "0", "15"));

        metering.send(event("acme", "k1", "dated", MAR_1, "gpt-4o-2024-08-06", 1_000_000))
                .send(event("acme", "k1", "listed", MAR_1, "gpt-4o-2024-05-13", 1_000_000));

        assertThat(metering.priced()).extracting(PricedUsage::getCostUsd).containsExactly(usd("2.5"), usd("5"));
    }

    @Test
    void shouldStopUsingAPriceVersionOnceItIsDeleted() {
        metering.price(testModelPrice("v1", JAN_1));
        metering.deletePrice("openai/test-model/v1");

        metering.send(event("acme", "evt-1", MAR_1, 1000));

        assertThat(metering.priced()).singleElement().satisfies(p -> assertThat(p.getUnpriced()).isTrue());
    }
}
