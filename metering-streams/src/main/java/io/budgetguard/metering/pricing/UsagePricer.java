package io.budgetguard.metering.pricing;

import io.budgetguard.metering.topology.MeteringMetrics;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ModelPrice;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Prices each deduplicated event with the price version in force at its {@code occurred_at}. An event whose model has
 * no price is never dropped: it is priced at 0, flagged {@code unpriced} and counted.
 */
public final class UsagePricer implements Processor<String, UsageEvent, String, PricedUsage> {

    private final PriceIndex prices;
    private ProcessorContext<String, PricedUsage> context;
    private Sensor unpriced;

    public UsagePricer(PriceIndex prices) {
        this.prices = prices;
    }

    @Override
    public void init(ProcessorContext<String, PricedUsage> context) {
        this.context = context;
        this.unpriced = MeteringMetrics.counter(context.metrics(), MeteringMetrics.UNPRICED);
    }

    @Override
    public void process(Record<String, UsageEvent> record) {
        UsageEvent event = record.value();
        Optional<ModelPrice> price = prices.priceAt(event.getProvider(), event.getModel(), event.getOccurredAt());
        UsageCost cost = price.map(p -> UsageCost.of(event, p)).orElse(UsageCost.UNPRICED);
        if (cost.unpriced()) {
            unpriced.record();
        }
        context.forward(record.withValue(priced(event, cost, Instant.ofEpochMilli(context.currentStreamTimeMs()))));
    }

    static PricedUsage priced(UsageEvent event, UsageCost cost, Instant pricedAt) {
        return PricedUsage.newBuilder()
                .setTenantId(event.getTenantId())
                .setApiKeyId(event.getApiKeyId())
                .setEventId(event.getEventId())
                .setOccurredAt(event.getOccurredAt())
                .setReceivedAt(event.getReceivedAt())
                .setPricedAt(pricedAt)
                .setProvider(event.getProvider())
                .setModel(event.getModel())
                .setInputTokens(event.getInputTokens())
                .setCachedInputTokens(event.getCachedInputTokens())
                .setCacheWriteTokens(event.getCacheWriteTokens())
                .setOutputTokens(event.getOutputTokens())
                .setReasoningTokens(event.getReasoningTokens())
                .setInputCostUsd(cost.input())
                .setCachedInputCostUsd(cost.cachedInput())
                .setCacheWriteCostUsd(cost.cacheWrite())
                .setOutputCostUsd(cost.output())
                .setCostUsd(cost.total())
                .setPriceVersion(cost.priceVersion())
                .setUnpriced(cost.unpriced())
                .setEndUser(event.getEndUser())
                .setMetadata(event.getMetadata())
                .build();
    }
}
