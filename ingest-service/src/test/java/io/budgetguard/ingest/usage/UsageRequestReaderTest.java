package io.budgetguard.ingest.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.budgetguard.common.http.Problem.FieldError;
import io.budgetguard.common.http.ProblemException;
import io.budgetguard.schemas.UsageEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class UsageRequestReaderTest {

    static final Instant NOW = Instant.parse("2025-06-15T12:00:00.123456Z");
    static final String VALID = """
            {"event_id":"evt-1","occurred_at":"2025-06-15T11:59:00.123456789Z","provider":"openai","model":"gpt-4o",
             "input_tokens":1000,"output_tokens":200}""";

    static List<UsageEvent> read(String json) {
        return new UsageRequestReader("acme", "k0123456789abcde", NOW).read(json.getBytes(StandardCharsets.UTF_8));
    }

    static ProblemException problem(String json) {
        return catchThrowableOfType(ProblemException.class, () -> read(json));
    }

    static List<FieldError> errors(String json) {
        ProblemException e = problem(json);
        assertThat(e).as("expected a problem for %s", json).isNotNull();
        assertThat(e.problem().status()).isEqualTo(422);
        return e.problem().errors();
    }

    /** The single valid event with one field replaced (or removed, when value is null). */
    static String with(String field, String value) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("event_id", "\"evt-1\"");
        fields.put("occurred_at", "\"2025-06-15T11:59:00Z\"");
        fields.put("provider", "\"openai\"");
        fields.put("model", "\"gpt-4o\"");
        fields.put("input_tokens", "1000");
        fields.put("output_tokens", "200");
        if (value == null) {
            fields.remove(field);
        } else {
            fields.put(field, value);
        }
        return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    static void assertOnlyError(String json, String field) {
        assertThat(errors(json)).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo(field);
            assertThat(error.index()).isNull();
            assertThat(error.message()).isNotBlank();
        });
    }

    @Nested
    class Accepted {

        @Test
        void shouldReadASingleEventWithTenantAndKeyFromTheCaller() {
            UsageEvent event = read(VALID).get(0);

            assertThat(event.getTenantId()).isEqualTo("acme");
            assertThat(event.getApiKeyId()).isEqualTo("k0123456789abcde");
            assertThat(event.getEventId()).isEqualTo("evt-1");
            assertThat(event.getProvider()).isEqualTo("openai");
            assertThat(event.getModel()).isEqualTo("gpt-4o");
            assertThat(event.getInputTokens()).isEqualTo(1000);
            assertThat(event.getOutputTokens()).isEqualTo(200);
        }

        @Test
        void shouldTruncateTimesToMilliseconds() {
            UsageEvent event = read(VALID).get(0);

            assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2025-06-15T11:59:00.123Z"));
            assertThat(event.getReceivedAt()).isEqualTo(Instant.parse("2025-06-15T12:00:00.123Z"));
        }

        @Test
        void shouldDefaultOptionalTokenFieldsToZero() {
            UsageEvent event = read(VALID).get(0);

            assertThat(event.getCachedInputTokens()).isZero();
            assertThat(event.getCacheWriteTokens()).isZero();
            assertThat(event.getReasoningTokens()).isZero();
            assertThat(event.getEndUser()).isNull();
            assertThat(event.getMetadata()).isEmpty();
        }

        @Test
        void shouldReadEveryOptionalField() {
            UsageEvent event = read("""
                    {"event_id":"a.b:c_d-1","occurred_at":"2025-06-15T12:04:59Z","provider":"anthropic",
                     "model":"claude-sonnet-4 (2025)","input_tokens":10,"cached_input_tokens":20,"cache_write_tokens":30,
                     "output_tokens":40,"reasoning_tokens":40,"end_user":"user-42","metadata":{"team":"search","env":"prod"}}
                    """).get(0);

            assertThat(event.getCachedInputTokens()).isEqualTo(20);
            assertThat(event.getCacheWriteTokens()).isEqualTo(30);
            assertThat(event.getReasoningTokens()).isEqualTo(40);
            assertThat(event.getEndUser()).isEqualTo("user-42");
            assertThat(event.getMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "search", "env", "prod"));
        }

        @Test
        void shouldTreatNullAsAbsent() {
            UsageEvent event = read(with("end_user", "null").replace("}", ",\"metadata\":null,\"cached_input_tokens\":null}"))
                    .get(0);

            assertThat(event.getEndUser()).isNull();
            assertThat(event.getCachedInputTokens()).isZero();
        }

        @Test
        void shouldReadABatchInOrder() {
            List<UsageEvent> events = read("{\"events\":[" + VALID + "," + VALID.replace("evt-1", "evt-2") + "]}");

            assertThat(events).extracting(UsageEvent::getEventId).containsExactly("evt-1", "evt-2");
        }

        @Test
        void shouldAcceptDuplicateEventIdsInABatch() {
            assertThat(read("{\"events\":[" + VALID + "," + VALID + "]}")).hasSize(2);
        }

        @Test
        void shouldAcceptABatchOfOneThousandEvents() {
            String batch = IntStream.range(0, 1000).mapToObj(i -> VALID.replace("evt-1", "evt-" + i))
                    .collect(Collectors.joining(",", "{\"events\":[", "]}"));

            assertThat(read(batch)).hasSize(1000);
        }

        @Test
        void shouldAcceptTheEdgesOfTheTimeWindow() {
            assertThat(read(with("occurred_at", "\"2025-05-11T12:00:00.123Z\""))).hasSize(1);
            assertThat(read(with("occurred_at", "\"2025-06-15T12:05:00.123Z\""))).hasSize(1);
        }

        @Test
        void shouldAcceptTheLongestAllowedValues() {
            String json = with("event_id", "\"" + "e".repeat(128) + "\"")
                    .replace("\"openai\"", "\"" + "p".repeat(32) + "\"")
                    .replace("\"gpt-4o\"", "\"" + "é".repeat(128) + "\"");

            assertThat(read(json)).hasSize(1);
        }
    }

    @Nested
    class Refused {

        @Test
        void shouldRequireEventId() {
            assertOnlyError(with("event_id", null), "event_id");
            assertOnlyError(with("event_id", "null"), "event_id");
        }

        @Test
        void shouldRefuseEventIdsOutsideThePattern() {
            assertOnlyError(with("event_id", "\"\""), "event_id");
            assertOnlyError(with("event_id", "\"has space\""), "event_id");
            assertOnlyError(with("event_id", "\"slash/no\""), "event_id");
            assertOnlyError(with("event_id", "\"" + "e".repeat(129) + "\""), "event_id");
            assertOnlyError(with("event_id", "42"), "event_id");
        }

        @Test
        void shouldRequireOccurredAt() {
            assertOnlyError(with("occurred_at", null), "occurred_at");
        }

        @Test
        void shouldRefuseOccurredAtThatIsNotRfc3339() {
            assertOnlyError(with("occurred_at", "\"2025-06-15 11:59:00\""), "occurred_at");
            assertOnlyError(with("occurred_at", "1750000000"), "occurred_at");
        }

        @Test
        void shouldRefuseOccurredAtMoreThanFiveMinutesAhead() {
            List<FieldError> errors = errors(with("occurred_at", "\"2025-06-15T12:05:00.124Z\""));

            assertThat(errors).singleElement().satisfies(e -> assertThat(e.message()).contains("future"));
        }

        @Test
        void shouldRefuseOccurredAtOlderThan35Days() {
            List<FieldError> errors = errors(with("occurred_at", "\"2025-05-11T12:00:00.122Z\""));

            assertThat(errors).singleElement().satisfies(e -> assertThat(e.message()).contains("35 days"));
        }

        @Test
        void shouldRequireProvider() {
            assertOnlyError(with("provider", null), "provider");
        }

        @Test
        void shouldRefuseProvidersOutsideThePattern() {
            assertOnlyError(with("provider", "\"OpenAI\""), "provider");
            assertOnlyError(with("provider", "\"open.ai\""), "provider");
            assertOnlyError(with("provider", "\"\""), "provider");
            assertOnlyError(with("provider", "\"" + "p".repeat(33) + "\""), "provider");
        }

        @Test
        void shouldRequireModel() {
            assertOnlyError(with("model", null), "model");
        }

        @Test
        void shouldRefuseModelsThatAreEmptyTooLongOrNotPrintable() {
            assertOnlyError(with("model", "\"\""), "model");
            assertOnlyError(with("model", "\"" + "m".repeat(129) + "\""), "model");
            assertOnlyError(with("model", "\"gpt\\n4\""), "model");
            assertOnlyError(with("model", "\"gpt\\u0000\""), "model");
            assertOnlyError(with("model", "\"gpt\\u2028\""), "model");
        }

        @Test
        void shouldRefuseTokenCountsThatAreNotNonNegativeIntegers() {
            assertOnlyError(with("input_tokens", "-1"), "input_tokens");
            assertOnlyError(with("input_tokens", "1.5"), "input_tokens");
            assertOnlyError(with("input_tokens", "\"100\""), "input_tokens");
            assertOnlyError(with("output_tokens", "99999999999999999999"), "output_tokens");
            assertOnlyError(with("cached_input_tokens", "-5"), "cached_input_tokens");
            assertOnlyError(with("cache_write_tokens", "true"), "cache_write_tokens");
            assertOnlyError(with("reasoning_tokens", "[1]"), "reasoning_tokens");
        }

        @Test
        void shouldRequireInputAndOutputTokensWhenAnyTokenFieldIsGiven() {
            assertOnlyError(with("input_tokens", null), "input_tokens");
            assertOnlyError(with("output_tokens", null), "output_tokens");
        }

        @Test
        void shouldRequireTokenFieldsOrAProviderUsageObject() {
            String json = with("input_tokens", null).replace(",\"output_tokens\":200", "");

            assertThat(errors(json)).extracting(FieldError::field).containsExactly("input_tokens", "output_tokens");
        }

        @Test
        void shouldRefuseReasoningAboveOutput() {
            assertOnlyError(with("reasoning_tokens", "201"), "reasoning_tokens");
        }

        @Test
        void shouldRefuseEndUsersThatAreEmptyOrLongerThan256() {
            assertOnlyError(with("end_user", "\"\""), "end_user");
            assertOnlyError(with("end_user", "\"" + "u".repeat(257) + "\""), "end_user");
            assertThat(read(with("end_user", "\"" + "u".repeat(256) + "\""))).hasSize(1);
        }

        @Test
        void shouldRefuseMoreThan16MetadataEntries() {
            String metadata = IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":\"v\"")
                    .collect(Collectors.joining(",", "{", "}"));

            assertOnlyError(with("metadata", metadata), "metadata");
        }

        @Test
        void shouldRefuseMetadataKeysLongerThan64AndValuesLongerThan256() {
            assertOnlyError(with("metadata", "{\"" + "k".repeat(65) + "\":\"v\"}"), "metadata." + "k".repeat(64) + "…");
            assertOnlyError(with("metadata", "{\"k\":\"" + "v".repeat(257) + "\"}"), "metadata.k");
            assertThat(read(with("metadata", "{\"" + "k".repeat(64) + "\":\"" + "v".repeat(256) + "\"}"))).hasSize(1);
        }

        @Test
        void shouldRefuseMetadataThatIsNotAnObjectOfStrings() {
            assertOnlyError(with("metadata", "[\"a\"]"), "metadata");
            assertOnlyError(with("metadata", "{\"n\":1}"), "metadata.n");
            assertOnlyError(with("metadata", "{\"a\":\"1\",\"a\":\"2\"}"), "metadata.a");
        }

        @Test
        void shouldRefuseUnknownFields() {
            assertOnlyError(with("cache_write_token", "5"), "cache_write_token");
            assertOnlyError(with("tenant_id", "\"someone-else\""), "tenant_id");
        }

        @Test
        void shouldRefuseAFieldGivenTwice() {
            assertOnlyError(VALID.replace("}", ",\"model\":\"other\"}"), "model");
        }
    }

    @Nested
    class Batches {

        @Test
        void shouldNameEveryInvalidEventByIndexAndField() {
            String batch = "{\"events\":[" + String.join(",",
                    VALID,
                    with("event_id", "\"bad id\""),
                    VALID,
                    with("provider", "\"OpenAI\"").replace("\"input_tokens\":1000", "\"input_tokens\":-1"),
                    "42",
                    with("occurred_at", "\"2020-01-01T00:00:00Z\"")) + "]}";

            ProblemException e = problem(batch);

            assertThat(e.problem().status()).isEqualTo(422);
            assertThat(e.problem().detail()).contains("4 of 6 events are invalid");
            assertThat(e.problem().errors()).extracting(FieldError::index, FieldError::field).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(1, "event_id"),
                    org.assertj.core.groups.Tuple.tuple(3, "provider"),
                    org.assertj.core.groups.Tuple.tuple(3, "input_tokens"),
                    org.assertj.core.groups.Tuple.tuple(4, null),
                    org.assertj.core.groups.Tuple.tuple(5, "occurred_at"));
        }

        @Test
        void shouldRefuseMoreThanOneThousandEventsWith413() {
            String batch = IntStream.range(0, 1001).mapToObj(i -> VALID)
                    .collect(Collectors.joining(",", "{\"events\":[", "]}"));

            assertThat(problem(batch).problem().status()).isEqualTo(413);
        }

        @Test
        void shouldRefuseAnEmptyBatch() {
            assertThat(errors("{\"events\":[]}")).singleElement()
                    .satisfies(e -> assertThat(e.field()).isEqualTo("events"));
        }

        @Test
        void shouldRefuseABatchWithOtherTopLevelFields() {
            assertThat(problem("{\"events\":[" + VALID + "],\"x\":1}").problem().status()).isEqualTo(400);
            assertThat(problem(VALID.replace("}", ",\"events\":[]}")).problem().status()).isEqualTo(400);
        }

        @Test
        void shouldRefuseEventsThatIsNotAnArray() {
            assertThat(problem("{\"events\":{}}").problem().status()).isEqualTo(400);
        }
    }

    @Nested
    class Malformed {

        @Test
        void shouldAnswer400ForMalformedJson() {
            ProblemException e = problem("{\"event_id\":");

            assertThat(e.problem().status()).isEqualTo(400);
            assertThat(e.problem().detail()).startsWith("The body is not valid JSON");
        }

        @Test
        void shouldAnswer400ForAnEmptyBody() {
            assertThat(problem("").problem().status()).isEqualTo(400);
        }

        @Test
        void shouldAnswer400ForATopLevelArrayOrScalar() {
            assertThat(problem("[" + VALID + "]").problem().status()).isEqualTo(400);
            assertThat(problem("\"x\"").problem().status()).isEqualTo(400);
        }

        @Test
        void shouldAnswer400ForTrailingContent() {
            assertThat(problem(VALID + " {}").problem().status()).isEqualTo(400);
        }
    }
}
