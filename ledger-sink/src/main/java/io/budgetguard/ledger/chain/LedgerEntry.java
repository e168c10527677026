package io.budgetguard.ledger.chain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One row of {@code ledger_entries}. Every field is non-null except {@code recordedAt}, which the database sets on
 * insert ({@code DEFAULT now()}) and is therefore null in an entry that has not been stored yet.
 * {@code occurredAt} is kept to the millisecond and {@code costUsd} at scale 9, so that what is stored is exactly what
 * is hashed.
 */
public record LedgerEntry(
        String tenantId,
        long seq,
        String eventId,
        String apiKeyId,
        Instant occurredAt,
        Instant receivedAt,
        Instant recordedAt,
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
        long sourceOffset,
        ChainHash prevHash,
        ChainHash entryHash) {

    public LedgerEntry {
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
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(entryHash, "entryHash");
        if (seq < 1) {
            throw new IllegalArgumentException("seq starts at 1, was " + seq);
        }
    }

    /** The hashed fields in canonical order, as strings (PRODUCT.md §5). */
    public List<String> canonicalFields() {
        return List.of("v1", tenantId, Long.toString(seq), eventId, apiKeyId, LedgerFormats.timestamp(occurredAt),
                provider, model, Long.toString(inputTokens), Long.toString(cachedInputTokens),
                Long.toString(cacheWriteTokens), Long.toString(outputTokens), Long.toString(reasoningTokens),
                LedgerFormats.cost(costUsd), priceVersion, endUserCt, metadataCt);
    }

    /**
     * {@code content} as entry {@code seq} of its tenant's chain, after the entry whose hash is {@code prevHash}
     * ({@link ChainHash#GENESIS} for seq 1); computes {@code entryHash}. {@code recordedAt} stays null until stored.
     */
    public static LedgerEntry append(EntryContent content, long seq, ChainHash prevHash) {
        LedgerEntry unsealed = of(content, seq, prevHash, prevHash);
        return of(content, seq, prevHash, EntryHasher.expectedHash(unsealed));
    }

    private static LedgerEntry of(EntryContent c, long seq, ChainHash prevHash, ChainHash entryHash) {
        return new LedgerEntry(c.tenantId(), seq, c.eventId(), c.apiKeyId(), c.occurredAt(), c.receivedAt(), null,
                c.provider(), c.model(), c.inputTokens(), c.cachedInputTokens(), c.cacheWriteTokens(),
                c.outputTokens(), c.reasoningTokens(), c.costUsd(), c.priceVersion(), c.endUserCt(), c.metadataCt(),
                c.sourcePartition(), c.sourceOffset(), prevHash, entryHash);
    }

    /** This entry with the given recording time (as read back from the database). */
    public LedgerEntry withRecordedAt(Instant recorded) {
        return new LedgerEntry(tenantId, seq, eventId, apiKeyId, occurredAt, receivedAt, recorded, provider, model,
                inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, reasoningTokens, costUsd,
                priceVersion, endUserCt, metadataCt, sourcePartition, sourceOffset, prevHash, entryHash);
    }
}
