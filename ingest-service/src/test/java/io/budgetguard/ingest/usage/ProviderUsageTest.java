package io.budgetguard.ingest.usage;

import static io.budgetguard.ingest.usage.UsageRequestReaderTest.errors;
import static io.budgetguard.ingest.usage.UsageRequestReaderTest.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.http.Problem.FieldError;
import io.budgetguard.schemas.UsageEvent;
import org.junit.jupiter.api.Test;

/**
 * Pins the normalisation of raw provider {@code usage} objects to the providers' documented examples.
 */
class ProviderUsageTest {

    private static String event(String provider, String usage) {
        return "{\"event_id\":\"e1\",\"occurred_at\":\"2025-06-15T11:00:00Z\",\"provider\":\"" + provider
                + "\",\"model\":\"m\",\"usage\":" + usage + "}";
    }

    /** OpenAI Chat Completions: the example of the API reference (prompt_tokens includes cached_tokens). */
    @Test
    void shouldSubtractCachedTokensFromOpenAiChatPromptTokens() {
        UsageEvent e = read(event("openai", """
                {"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
                 "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                               "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
                """)).get(0);

        assertThat(e.getInputTokens()).isEqualTo(86);
        assertThat(e.getCachedInputTokens()).isEqualTo(1920);
        assertThat(e.getCacheWriteTokens()).isZero();
        assertThat(e.getOutputTokens()).isEqualTo(300);
        assertThat(e.getReasoningTokens()).isZero();
    }

    /** OpenAI Chat Completions with a reasoning model: reasoning tokens are part of completion_tokens. */
    @Test
    void shouldKeepReasoningTokensInsideOpenAiChatCompletionTokens() {
        UsageEvent e = read(event("openai", """
                {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
                 "prompt_tokens_details": {"cached_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": 6}}
                """)).get(0);

        assertThat(e.getInputTokens()).isEqualTo(19);
        assertThat(e.getOutputTokens()).isEqualTo(10);
        assertThat(e.getReasoningTokens()).isEqualTo(6);
    }

    @Test
    void shouldAcceptOpenAiChatUsageWithoutDetails() {
        UsageEvent e = read(event("openai", "{\"prompt_tokens\": 9, \"completion_tokens\": 12, \"total_tokens\": 21}"))
                .get(0);

        assertThat(e.getInputTokens()).isEqualTo(9);
        assertThat(e.getCachedInputTokens()).isZero();
        assertThat(e.getOutputTokens()).isEqualTo(12);
    }

    /** OpenAI Responses API: the example of the API reference (input_tokens includes cached_tokens). */
    @Test
    void shouldSubtractCachedTokensFromOpenAiResponsesInputTokens() {
        UsageEvent e = read(event("openai", """
                {"input_tokens": 328, "input_tokens_details": {"cached_tokens": 128},
                 "output_tokens": 52, "output_tokens_details": {"reasoning_tokens": 20}, "total_tokens": 380}
                """)).get(0);

        assertThat(e.getInputTokens()).isEqualTo(200);
        assertThat(e.getCachedInputTokens()).isEqualTo(128);
        assertThat(e.getCacheWriteTokens()).isZero();
        assertThat(e.getOutputTokens()).isEqualTo(52);
        assertThat(e.getReasoningTokens()).isEqualTo(20);
    }

    /** Anthropic Messages: input_tokens excludes the cache reads and writes, which are reported beside it. */
    @Test
    void shouldKeepAnthropicInputTokensAndCacheFieldsApart() {
        UsageEvent e = read(event("anthropic", """
                {"input_tokens": 50, "cache_creation_input_tokens": 1248, "cache_read_input_tokens": 2096,
                 "output_tokens": 503, "server_tool_use": null, "service_tier": "standard",
                 "cache_creation": {"ephemeral_5m_input_tokens": 1248, "ephemeral_1h_input_tokens": 0}}
                """)).get(0);

        assertThat(e.getInputTokens()).isEqualTo(50);
        assertThat(e.getCachedInputTokens()).isEqualTo(2096);
        assertThat(e.getCacheWriteTokens()).isEqualTo(1248);
        assertThat(e.getOutputTokens()).isEqualTo(503);
        assertThat(e.getReasoningTokens()).isZero();
    }

    /** The Messages API quick-start answer: no cache activity, null cache fields. */
    @Test
    void shouldTreatNullAnthropicCacheFieldsAsZero() {
        UsageEvent e = read(event("anthropic", """
                {"input_tokens": 2095, "output_tokens": 503, "cache_creation_input_tokens": null,
                 "cache_read_input_tokens": null}
                """)).get(0);

        assertThat(e.getInputTokens()).isEqualTo(2095);
        assertThat(e.getCachedInputTokens()).isZero();
        assertThat(e.getCacheWriteTokens()).isZero();
        assertThat(e.getOutputTokens()).isEqualTo(503);
    }

    @Test
    void shouldPreferExplicitTokenFieldsOverUsage() {
        UsageEvent e = read(event("openai", "{\"prompt_tokens\": 999, \"completion_tokens\": 999}")
                .replace("\"usage\"", "\"input_tokens\":1,\"output_tokens\":2,\"usage\"")).get(0);

        assertThat(e.getInputTokens()).isEqualTo(1);
        assertThat(e.getOutputTokens()).isEqualTo(2);
    }

    @Test
    void shouldRefuseCachedTokensAbovePromptTokens() {
        assertThat(errors(event("openai",
                "{\"prompt_tokens\": 10, \"completion_tokens\": 1, \"prompt_tokens_details\": {\"cached_tokens\": 11}}")))
                .extracting(FieldError::field).containsExactly("usage.prompt_tokens_details.cached_tokens");
    }

    @Test
    void shouldRefuseReasoningAboveOutputInUsage() {
        assertThat(errors(event("openai", """
                {"input_tokens": 5, "output_tokens": 1, "output_tokens_details": {"reasoning_tokens": 2}}""")))
                .extracting(FieldError::field).containsExactly("usage");
    }

    @Test
    void shouldNameTheBadFieldsOfAUsageObject() {
        assertThat(errors(event("openai", "{\"prompt_tokens\": -1, \"completion_tokens\": 1.5}")))
                .extracting(FieldError::field).containsExactly("usage.prompt_tokens", "usage.completion_tokens");
        assertThat(errors(event("anthropic", "{\"input_tokens\": 3}")))
                .extracting(FieldError::field).containsExactly("usage.output_tokens");
    }

    @Test
    void shouldRefuseUnknownUsageShapes() {
        assertThat(errors(event("google", "{\"promptTokenCount\": 3, \"candidatesTokenCount\": 4}")))
                .extracting(FieldError::field).containsExactly("usage");
        assertThat(errors(event("openai", "[1,2]"))).extracting(FieldError::field).containsExactly("usage");
        assertThat(errors(event("openai", "{\"input_tokens\": 1, \"output_tokens\": 1, "
                + "\"input_tokens_details\": {}, \"cache_read_input_tokens\": 1}")))
                .extracting(FieldError::field).containsExactly("usage");
    }
}
