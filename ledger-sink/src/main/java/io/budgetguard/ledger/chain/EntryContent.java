package io.budgetguard.ledger.chain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * What an entry records before it has a place in its tenant's chain: everything but {@code seq}, the hashes and
 * {@code recorded_at}. {@link LedgerEntry#append} gives it that place.
 */
public record EntryContent(
        String tenantId,
        String eventId,
        String apiKeyId,
        Instant occurredAt,
        Instant receivedAt,
        String provider,
        String model,
        long inputTokens,
        long cachedInputTokens,
        long cacheWriteTokens,
        long outputTokens,
        long reasoningTokens,
        BigDecimal costUsd,
        String priceVersion,
        String endUserCt,
        String metadataCt,
        int sourcePartition,
        long sourceOffset) {

    public EntryContent {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(apiKeyId, "apiKeyId");
        occurredAt = LedgerFormats.toMillis(Objects.requireNonNull(occurredAt, "occurredAt"));
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        costUsd = LedgerFormats.normalizeCost(Objects.requireNonNull(costUsd, "costUsd"));
        Objects.requireNonNull(priceVersion, "priceVersion");
        Objects.requireNonNull(endUserCt, "endUserCt");
        Objects.requireNonNull(metadataCt, "metadataCt");
    }
}
