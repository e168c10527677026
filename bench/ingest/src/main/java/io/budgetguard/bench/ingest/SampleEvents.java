package io.budgetguard.bench.ingest;

import io.budgetguard.schemas.UsageEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Realistic usage events, the same in JSON (what gateways send) and as the ingest service's Avro record (what it
 * produces), so the raw producer sends records of exactly the size ingest produces.
 */
final class SampleEvents {

    private static final String[][] MODELS = {
        {"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"anthropic", "claude-sonnet-4-5"}, {"google", "gemini-2.5-flash"}};

    private final SplittableRandom random = new SplittableRandom(42);
    private final Instant occurredAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /** One event as JSON, with a metadata entry as gateways typically send. */
    String json(String eventId) {
        String[] model = MODELS[random.nextInt(MODELS.length)];
        return "{\"event_id\":\"" + eventId + "\",\"occurred_at\":\"" + occurredAt + "\",\"provider\":\"" + model[0]
                + "\",\"model\":\"" + model[1] + "\",\"input_tokens\":" + (200 + random.nextInt(4000))
                + ",\"cached_input_tokens\":" + random.nextInt(200) + ",\"output_tokens\":" + (20 + random.nextInt(800))
                + ",\"metadata\":{\"route\":\"/chat\"}}";
    }

    /** {@code {"events":[...]}} of {@code count} events with ids {@code prefix-0 …}. */
    String batch(String prefix, int count) {
        StringBuilder body = new StringBuilder(count * 220).append("{\"events\":[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append(json(prefix + "-" + i));
        }
        return body.append("]}").toString();
    }

    /** The Avro record ingest would produce for such an event of {@code tenant}. */
    UsageEvent avro(String tenant, String keyId, String eventId) {
        String[] model = MODELS[random.nextInt(MODELS.length)];
        Map<String, String> metadata = new HashMap<>();
        metadata.put("route", "/chat");
        return UsageEvent.newBuilder()
                .setTenantId(tenant)
                .setApiKeyId(keyId)
                .setEventId(eventId)
                .setOccurredAt(occurredAt)
                .setReceivedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setProvider(model[0])
                .setModel(model[1])
                .setInputTokens(200 + random.nextInt(4000))
                .setCachedInputTokens(random.nextInt(200))
                .setCacheWriteTokens(0)
                .setOutputTokens(20 + random.nextInt(800))
                .setReasoningTokens(0)
                .setEndUser(null)
                .setMetadata(new HashMap<>(metadata))
                .build();
    }
}
