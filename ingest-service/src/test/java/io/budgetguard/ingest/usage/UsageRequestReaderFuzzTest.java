package io.budgetguard.ingest.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.budgetguard.common.http.ProblemException;
import io.budgetguard.schemas.UsageEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the usage body parser and validator, {@link UsageRequestReader#read(byte[])}: for any
 * bytes it either returns events that satisfy every rule of PRODUCT.md §3.1, or refuses the body with a
 * {@link ProblemException} of status 400, 413 or 422 — never another exception (which the HTTP layer would answer 500).
 *
 * <p>Under {@code ./mvnw verify} this runs the seeds in {@code UsageRequestReaderFuzzTestInputs/read/} (valid single
 * events and batches, provider usage objects, and every finding so far); {@code JAZZER_FUZZ=1} fuzzes
 * (docs/SECURITY.md).
 */
class UsageRequestReaderFuzzTest {

    static final Instant NOW = Instant.parse("2025-06-15T12:00:00.123Z");
    private static final String KEY_ID = "k0123456789abcde";
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9_-]{1,32}");

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"events\"", "\"event_id\"", "\"occurred_at\"", "\"provider\"", "\"model\"",
            "\"input_tokens\"", "\"cached_input_tokens\"", "\"cache_write_tokens\"", "\"output_tokens\"",
            "\"reasoning_tokens\"", "\"end_user\"", "\"metadata\"", "\"usage\"", "\"prompt_tokens\"",
            "\"completion_tokens\"", "\"prompt_tokens_details\"", "\"cached_tokens\"", "\"cache_read_input_tokens\"",
            "\"cache_creation_input_tokens\"", "\"output_tokens_details\"", "\"2025-06-15T11:59:00Z\"",
            "\"2025-06-15T12:04:59.999+00:00\"", "null", "true", "9223372036854775807", "1e400", "-0", "\\u0000",
            "\\ud800"})
    void read(byte[] body) {
        List<UsageEvent> events;
        try {
            events = new UsageRequestReader("acme", KEY_ID, NOW).read(body);
        } catch (ProblemException refused) {
            assertThat(refused.problem().status()).isIn(400, 413, 422);
            return;
        }
        assertThat(events).hasSizeBetween(1, UsageRequestReader.MAX_EVENTS);
        events.forEach(event -> assertValid(event, KEY_ID));
    }

    /** What metering and the ledger rely on for every accepted event (PRODUCT.md §3.1). */
    static void assertValid(UsageEvent event, String keyId) {
        assertThat(event.getTenantId()).isEqualTo("acme");
        assertThat(event.getApiKeyId()).isEqualTo(keyId);
        assertThat(event.getEventId()).matches(EVENT_ID);
        assertThat(event.getProvider()).matches(PROVIDER);
        assertThat(event.getModel().codePointCount(0, event.getModel().length())).isBetween(1, 128);
        assertThat(event.getModel().codePoints().noneMatch(Character::isISOControl)).isTrue();
        assertThat(event.getOccurredAt()).isBetween(NOW.minus(UsageRequestReader.MAX_AGE),
                NOW.plus(UsageRequestReader.MAX_AHEAD));
        assertThat(event.getOccurredAt().getNano() % 1_000_000).as("truncated to milliseconds").isZero();
        assertThat(List.of(event.getInputTokens(), event.getCachedInputTokens(), event.getCacheWriteTokens(),
                event.getOutputTokens(), event.getReasoningTokens())).allMatch(tokens -> tokens >= 0);
        if (event.getEndUser() != null) {
            assertThat(event.getEndUser().codePointCount(0, event.getEndUser().length())).isBetween(1, 256);
        }
        Map<String, String> metadata = event.getMetadata();
        assertThat(metadata).hasSizeLessThanOrEqualTo(UsageRequestReader.MAX_METADATA_ENTRIES);
        metadata.forEach((key, value) -> {
            assertThat(key.codePointCount(0, key.length())).isBetween(1, 64);
            assertThat(value.codePointCount(0, value.length())).isLessThanOrEqualTo(256);
        });
    }
}
