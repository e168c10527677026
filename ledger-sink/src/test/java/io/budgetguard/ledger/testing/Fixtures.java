package io.budgetguard.ledger.testing;

import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.schemas.PricedUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** Test data: priced usage records and entry contents with plausible values. */
public final class Fixtures {

    public static final Instant OCCURRED = Instant.parse("2025-03-01T12:00:00.123Z");

    private Fixtures() {}

    public static PricedUsage.Builder priced(String tenant, String eventId) {
        return PricedUsage.newBuilder()
                .setTenantId(tenant)
                .setApiKeyId("k0123456789abcde")
                .setEventId(eventId)
                .setOccurredAt(OCCURRED)
                .setReceivedAt(OCCURRED.plusMillis(40))
                .setPricedAt(OCCURRED.plusMillis(60))
                .setProvider("openai")
                .setModel("gpt-4o")
                .setInputTokens(1000)
                .setCachedInputTokens(200)
                .setCacheWriteTokens(0)
                .setOutputTokens(300)
                .setReasoningTokens(0)
                .setInputCostUsd(new BigDecimal("0.002500000"))
                .setCachedInputCostUsd(new BigDecimal("0.000250000"))
                .setCacheWriteCostUsd(new BigDecimal("0.000000000"))
                .setOutputCostUsd(new BigDecimal("0.003000000"))
                .setCostUsd(new BigDecimal("0.005750000"))
                .setPriceVersion("2025-03-01")
                .setUnpriced(false)
                .setEndUser(null)
                .setMetadata(Map.of());
    }

    public static EntryContent content(String tenant, String eventId) {
        return content(tenant, eventId, "gpt-4o", 0, 0);
    }

    public static EntryContent content(String tenant, String eventId, String model, int partition, long offset) {
        return content(tenant, eventId, OCCURRED, model, partition, offset);
    }

    /**
     * An entry that occurred at {@code occurredAt}. {@link #OCCURRED} is older than the months the migrations
     * partition, so those rows land in {@code ledger_entries_default}; use {@link #recent} to reach a monthly one.
     */
    public static EntryContent content(String tenant, String eventId, Instant occurredAt, String model, int partition,
            long offset) {
        return new EntryContent(tenant, eventId, "k0123456789abcde", occurredAt, occurredAt.plusMillis(40), "openai",
                model, 1000, 200, 0, 300, 0, new BigDecimal("0.005750000"), "2025-03-01", "", "", partition, offset);
    }

    /**
     * {@code daysAgo} days before now, at millisecond precision; the migrations partition every month from 35 days
     * ago to three months ahead, and 31 days ago is always in an earlier calendar month than now.
     */
    public static Instant recent(int daysAgo) {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minus(java.time.Duration.ofDays(daysAgo));
    }
}
