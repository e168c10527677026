package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.schemas.PricedUsage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a priced usage record into the content of a ledger entry.
 *
 * <p>Personal data: {@code end_user} and metadata values must be stored only as ciphertexts (envelope encryption with
 * a per-tenant data key wrapped by Vault Transit). That encryption is not implemented yet, so they are not stored at
 * all: {@code end_user_ct} and {@code metadata_ct} are always the empty string, never plaintext and never a fake
 * "encryption". This is logged once and counted in {@link #personalDataNotStored()}.
 */
final class PricedUsageMapper {

    private static final Logger LOG = LoggerFactory.getLogger(PricedUsageMapper.class);

    private final AtomicBoolean warned = new AtomicBoolean();
    private final AtomicLong personalDataNotStored = new AtomicLong();

    EntryContent map(PricedUsage usage, int partition, long offset) {
        if (usage == null) {
            throw new UnstorableUsageException(partition, offset, "the record has no value (tombstone)");
        }
        if (usage.getEndUser() != null || (usage.getMetadata() != null && !usage.getMetadata().isEmpty())) {
            personalDataNotStored.incrementAndGet();
            if (warned.compareAndSet(false, true)) {
                LOG.warn("end_user/metadata encryption is not implemented yet: these values are NOT stored in the "
                        + "ledger (end_user_ct and metadata_ct are left empty) until it is");
            }
        }
        try {
            return new EntryContent(
                    storable(usage.getTenantId(), "tenant_id", partition, offset),
                    storable(usage.getEventId(), "event_id", partition, offset),
                    storable(usage.getApiKeyId(), "api_key_id", partition, offset),
                    usage.getOccurredAt(),
                    usage.getReceivedAt(),
                    storable(usage.getProvider(), "provider", partition, offset),
                    storable(usage.getModel(), "model", partition, offset),
                    usage.getInputTokens(),
                    usage.getCachedInputTokens(),
                    usage.getCacheWriteTokens(),
                    usage.getOutputTokens(),
                    usage.getReasoningTokens(),
                    usage.getCostUsd(),
                    storable(usage.getPriceVersion(), "price_version", partition, offset),
                    "",
                    "",
                    partition,
                    offset);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UnstorableUsageException(partition, offset, e.getMessage());
        }
    }

    /** How many records carried an end_user or metadata that was not stored (encryption not implemented). */
    long personalDataNotStored() {
        return personalDataNotStored.get();
    }

    /** PostgreSQL text cannot hold U+0000; the ledger refuses it rather than silently altering a hashed value. */
    private static String storable(String value, String field, int partition, long offset) {
        if (value == null) {
            throw new UnstorableUsageException(partition, offset, field + " is missing");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw new UnstorableUsageException(partition, offset, field + " contains U+0000, which PostgreSQL cannot store");
        }
        if (!validSurrogates(value)) {
            throw new UnstorableUsageException(partition, offset, field + " is not valid Unicode (lone surrogate)");
        }
        return value;
    }

    private static boolean validSurrogates(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
