package io.budgetguard.ingest.usage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns a provider's raw {@code usage} object into {@link TokenCounts}. The providers count differently:
 * <ul>
 *   <li>OpenAI Chat Completions: {@code prompt_tokens} <em>includes</em> {@code prompt_tokens_details.cached_tokens},
 *       so uncached input = prompt − cached; output = {@code completion_tokens}, which includes
 *       {@code completion_tokens_details.reasoning_tokens}.</li>
 *   <li>OpenAI Responses API: {@code input_tokens} <em>includes</em> {@code input_tokens_details.cached_tokens};
 *       {@code output_tokens} includes {@code output_tokens_details.reasoning_tokens}.</li>
 *   <li>Anthropic Messages: {@code input_tokens} <em>excludes</em> {@code cache_read_input_tokens} and
 *       {@code cache_creation_input_tokens}, which are the cache reads and writes.</li>
 * </ul>
 * The shape tells them apart: {@code prompt_tokens}/{@code completion_tokens} is Chat Completions; the
 * {@code *_tokens_details} objects mark the Responses API; {@code cache_*_input_tokens} marks Anthropic. A bare
 * {@code {input_tokens, output_tokens}} means the same in both of the latter.
 */
final class ProviderUsage {

    private ProviderUsage() {}

    /** The counts, or null after reporting every problem to {@code errors} (fields named {@code usage.…}). */
    static TokenCounts normalise(JsonNode usage, FieldErrorSink errors) {
        if (usage == null || !usage.isObject()) {
            errors.add("usage", "must be a provider usage object");
            return null;
        }
        if (usage.has("prompt_tokens") || usage.has("completion_tokens")) {
            return openAiChat(usage, errors);
        }
        boolean responses = usage.has("input_tokens_details") || usage.has("output_tokens_details");
        boolean anthropic = usage.has("cache_read_input_tokens") || usage.has("cache_creation_input_tokens");
        if (responses && anthropic) {
            errors.add("usage", "mixes OpenAI Responses fields (*_tokens_details) with Anthropic cache fields");
            return null;
        }
        if (usage.has("input_tokens") || usage.has("output_tokens")) {
            return responses ? openAiResponses(usage, errors) : anthropic(usage, errors);
        }
        errors.add("usage", "is not a known provider usage object: expected OpenAI (prompt_tokens, completion_tokens, "
                + "or input_tokens, output_tokens) or Anthropic (input_tokens, output_tokens, cache_*_input_tokens)");
        return null;
    }

    private static TokenCounts openAiChat(JsonNode usage, FieldErrorSink errors) {
        Counter c = new Counter(errors);
        long prompt = c.required(usage, "prompt_tokens", "usage.prompt_tokens");
        long completion = c.required(usage, "completion_tokens", "usage.completion_tokens");
        long cached = c.optional(usage.get("prompt_tokens_details"), "cached_tokens",
                "usage.prompt_tokens_details.cached_tokens");
        long reasoning = c.optional(usage.get("completion_tokens_details"), "reasoning_tokens",
                "usage.completion_tokens_details.reasoning_tokens");
        if (c.failed) {
            return null;
        }
        if (cached > prompt) {
            errors.add("usage.prompt_tokens_details.cached_tokens", "must not exceed prompt_tokens, which includes it");
            return null;
        }
        return new TokenCounts(prompt - cached, cached, 0, completion, reasoning);
    }

    private static TokenCounts openAiResponses(JsonNode usage, FieldErrorSink errors) {
        Counter c = new Counter(errors);
        long input = c.required(usage, "input_tokens", "usage.input_tokens");
        long output = c.required(usage, "output_tokens", "usage.output_tokens");
        long cached = c.optional(usage.get("input_tokens_details"), "cached_tokens",
                "usage.input_tokens_details.cached_tokens");
        long reasoning = c.optional(usage.get("output_tokens_details"), "reasoning_tokens",
                "usage.output_tokens_details.reasoning_tokens");
        if (c.failed) {
            return null;
        }
        if (cached > input) {
            errors.add("usage.input_tokens_details.cached_tokens", "must not exceed input_tokens, which includes it");
            return null;
        }
        return new TokenCounts(input - cached, cached, 0, output, reasoning);
    }

    private static TokenCounts anthropic(JsonNode usage, FieldErrorSink errors) {
        Counter c = new Counter(errors);
        long input = c.required(usage, "input_tokens", "usage.input_tokens");
        long output = c.required(usage, "output_tokens", "usage.output_tokens");
        long cacheRead = c.optional(usage, "cache_read_input_tokens", "usage.cache_read_input_tokens");
        long cacheWrite = c.optional(usage, "cache_creation_input_tokens", "usage.cache_creation_input_tokens");
        return c.failed ? null : new TokenCounts(input, cacheRead, cacheWrite, output, 0);
    }

    /** Reads non-negative integer counts, reporting each bad one. */
    private static final class Counter {
        private final FieldErrorSink errors;
        private boolean failed;

        Counter(FieldErrorSink errors) {
            this.errors = errors;
        }

        long required(JsonNode parent, String name, String field) {
            JsonNode value = parent.get(name);
            if (value == null || value.isNull()) {
                errors.add(field, "is required");
                failed = true;
                return 0;
            }
            return count(value, field);
        }

        /** Absent, null, or a parent that is absent or null, all count as 0. */
        long optional(JsonNode parent, String name, String field) {
            if (parent == null || parent.isNull()) {
                return 0;
            }
            if (!parent.isObject()) {
                errors.add(field.substring(0, field.lastIndexOf('.')), "must be an object");
                failed = true;
                return 0;
            }
            JsonNode value = parent.get(name);
            return value == null || value.isNull() ? 0 : count(value, field);
        }

        private long count(JsonNode value, String field) {
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
                errors.add(field, "must be an integer >= 0");
                failed = true;
                return 0;
            }
            return value.longValue();
        }
    }
}
