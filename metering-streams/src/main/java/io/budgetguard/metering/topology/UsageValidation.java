package io.budgetguard.metering.topology;

import io.budgetguard.schemas.UsageEvent;
import java.util.Optional;

/**
 * The checks metering needs to count an event correctly. Ingest validates the full contract; these guard the
 * invariants dedup, pricing and the ledger rely on, for records that did not come through ingest.
 */
final class UsageValidation {

    private UsageValidation() {}

    /** Why the event cannot be metered, or empty when it can. */
    static Optional<String> problem(String recordKey, UsageEvent event) {
        if (isBlank(event.getTenantId())) {
            return Optional.of("invalid: tenant_id is empty");
        }
        if (recordKey != null && !recordKey.equals(event.getTenantId())) {
            return Optional.of("invalid: record key '" + recordKey + "' is not the event's tenant_id '"
                    + event.getTenantId() + "'");
        }
        if (isBlank(event.getEventId())) {
            return Optional.of("invalid: event_id is empty");
        }
        if (isBlank(event.getProvider())) {
            return Optional.of("invalid: provider is empty");
        }
        if (isBlank(event.getModel())) {
            return Optional.of("invalid: model is empty");
        }
        if (event.getOccurredAt() == null) {
            return Optional.of("invalid: occurred_at is missing");
        }
        if (event.getInputTokens() < 0 || event.getCachedInputTokens() < 0 || event.getCacheWriteTokens() < 0
                || event.getOutputTokens() < 0 || event.getReasoningTokens() < 0) {
            return Optional.of("invalid: token counts must not be negative");
        }
        return Optional.empty();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
