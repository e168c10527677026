package io.budgetguard.client;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One model call to report, as {@code POST /v1/usage} takes it (PRODUCT.md §3.1). The tenant is never part of it: it
 * is the API key's tenant. {@code eventId} is the idempotency key: the client resends an event only ever with the same
 * id, and the pipeline removes duplicates.
 *
 * <p>Validation is the server's (a 422 names the bad field, see {@link UsageRejectedException}); the record only refuses
 * what could never be sent (nulls, negative counts).
 *
 * @param endUser  optional (null when absent)
 * @param metadata optional, never null (empty when absent)
 */
public record UsageEvent(
        String eventId,
        Instant occurredAt,
        String provider,
        String model,
        long inputTokens,
        long cachedInputTokens,
        long cacheWriteTokens,
        long outputTokens,
        long reasoningTokens,
        String endUser,
        Map<String, String> metadata) {

    public UsageEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (inputTokens < 0 || cachedInputTokens < 0 || cacheWriteTokens < 0 || outputTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("Token counts must not be negative (event " + eventId + ")");
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** An event with input and output tokens only; the other counts are 0. */
    public static UsageEvent of(String eventId, Instant occurredAt, String provider, String model, long inputTokens,
            long outputTokens) {
        return new UsageEvent(eventId, occurredAt, provider, model, inputTokens, 0, 0, outputTokens, 0, null, Map.of());
    }

    public UsageEvent withCacheTokens(long cachedInput, long cacheWrite) {
        return new UsageEvent(eventId, occurredAt, provider, model, inputTokens, cachedInput, cacheWrite, outputTokens,
                reasoningTokens, endUser, metadata);
    }

    public UsageEvent withReasoningTokens(long reasoning) {
        return new UsageEvent(eventId, occurredAt, provider, model, inputTokens, cachedInputTokens, cacheWriteTokens,
                outputTokens, reasoning, endUser, metadata);
    }

    public UsageEvent withEndUser(String user) {
        return new UsageEvent(eventId, occurredAt, provider, model, inputTokens, cachedInputTokens, cacheWriteTokens,
                outputTokens, reasoningTokens, user, metadata);
    }

    public UsageEvent withMetadata(Map<String, String> entries) {
        return new UsageEvent(eventId, occurredAt, provider, model, inputTokens, cachedInputTokens, cacheWriteTokens,
                outputTokens, reasoningTokens, endUser, entries);
    }
}
