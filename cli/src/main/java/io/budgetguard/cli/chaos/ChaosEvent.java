package io.budgetguard.cli.chaos;

import io.budgetguard.client.UsageEvent;
import java.time.Instant;

/**
 * One distinct event of a chaos run, as sent (the journal keeps it with whether any of its sends was acknowledged).
 * {@code occurredAt} is in milliseconds, as ingest stores it.
 */
public record ChaosEvent(String tenant, String eventId, Instant occurredAt, String provider, String model,
        long inputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens, long reasoningTokens) {

    public UsageEvent toUsageEvent() {
        return new UsageEvent(eventId, occurredAt, provider, model, inputTokens, cachedInputTokens, cacheWriteTokens,
                outputTokens, reasoningTokens, null, java.util.Map.of());
    }

    /** The tenant-scoped identity the pipeline deduplicates on. */
    public String key() {
        return tenant + "/" + eventId;
    }
}
