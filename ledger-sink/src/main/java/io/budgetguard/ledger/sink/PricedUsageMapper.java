package io.budgetguard.ledger.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.budgetguard.common.json.Json;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.privacy.DataKeyRef;
import io.budgetguard.ledger.privacy.PersonalDataCipher;
import io.budgetguard.schemas.PricedUsage;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a priced usage record into the content of a ledger entry.
 *
 * <p>Personal data never reaches the ledger in clear: {@code end_user} and the metadata (as one JSON object, keys
 * sorted) are encrypted with the tenant's data key ({@link PersonalDataCipher}); {@code end_user_ct} and
 * {@code metadata_ct} are empty strings when absent. The chain hashes the ciphertexts, so erasing the tenant's key
 * leaves the chain verifiable.
 */
final class PricedUsageMapper {

    private final AtomicLong encrypted = new AtomicLong();

    /** Whether the record carries personal data, which needs its tenant's data key. */
    static boolean hasPersonalData(PricedUsage usage) {
        return usage != null && (present(usage.getEndUser())
                || usage.getMetadata() != null && !usage.getMetadata().isEmpty());
    }

    /**
     * @param dataKeys the data key of every tenant whose records carry personal data
     */
    EntryContent map(PricedUsage usage, int partition, long offset, Map<String, DataKeyRef> dataKeys) {
        if (usage == null) {
            throw new UnstorableUsageException(partition, offset, "the record has no value (tombstone)");
        }
        try {
            String tenant = storable(usage.getTenantId(), "tenant_id", partition, offset);
            String eventId = storable(usage.getEventId(), "event_id", partition, offset);
            String endUserCt = "";
            String metadataCt = "";
            if (hasPersonalData(usage)) {
                DataKeyRef key = dataKeys.get(tenant);
                if (key == null) {
                    throw new IllegalStateException("no data key prepared for tenant " + tenant);
                }
                if (present(usage.getEndUser())) {
                    endUserCt = PersonalDataCipher.encrypt(key, tenant, eventId, PersonalDataCipher.END_USER,
                            storable(usage.getEndUser(), "end_user", partition, offset));
                }
                if (usage.getMetadata() != null && !usage.getMetadata().isEmpty()) {
                    metadataCt = PersonalDataCipher.encrypt(key, tenant, eventId, PersonalDataCipher.METADATA,
                            metadataJson(usage.getMetadata(), partition, offset));
                }
                encrypted.incrementAndGet();
            }
            return new EntryContent(
                    tenant,
                    eventId,
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
                    endUserCt,
                    metadataCt,
                    partition,
                    offset);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UnstorableUsageException(partition, offset, e.getMessage());
        }
    }

    /** How many records had personal data encrypted (a metric). */
    long personalDataEncrypted() {
        return encrypted.get();
    }

    private static boolean present(String value) {
        return value != null && !value.isEmpty();
    }

    private static String metadataJson(Map<String, String> metadata, int partition, long offset) {
        Map<String, String> sorted = new TreeMap<>();
        metadata.forEach((key, value) -> sorted.put(storable(key, "metadata key", partition, offset),
                storable(value == null ? "" : value, "metadata value", partition, offset)));
        try {
            return Json.MAPPER.writeValueAsString(sorted);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata cannot be written as JSON", e);
        }
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
