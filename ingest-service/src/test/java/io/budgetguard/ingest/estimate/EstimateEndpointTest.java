package io.budgetguard.ingest.estimate;

import static io.budgetguard.ingest.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.testing.TestIngest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EstimateEndpointTest {

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    private TestIngest ingest;
    private PresentedKey key;

    @BeforeAll
    void start() {
        ingest = TestIngest.start(Clock.fixed(NOW, ZoneOffset.UTC));
        ingest.fixtures.tenant("acme", "active");
        key = ingest.fixtures.key("acme", Role.DEVELOPER);
        ingest.fixtures.price("openai", "gpt-4o", "v1", Instant.parse("2025-01-01T00:00:00Z"), "5", "2.5", "0", "15");
        ingest.fixtures.price("openai", "gpt-4o", "v2", Instant.parse("2025-06-01T00:00:00Z"), "2.50", "1.25", "0", "10");
        ingest.fixtures.price("openai", "gpt-4o", "v3", Instant.parse("2025-07-01T00:00:00Z"), "1", "0.5", "0", "4");
        ingest.fixtures.price("openai", "gpt-4o-mini", "v1", Instant.parse("2025-01-01T00:00:00Z"), "0.15", "0.075", "0",
                "0.6");
        ingest.fixtures.price("anthropic", "claude-sonnet-4", "v1", Instant.parse("2025-01-01T00:00:00Z"), "3", "0.3",
                "3.75", "15");
    }

    @AfterAll
    void stop() {
        ingest.close();
    }

    private HttpResponse<String> estimate(String body) {
        return ingest.send("POST", "/v1/estimate", body, "Authorization", "Bearer " + key.token(),
                "Content-Type", "application/json");
    }

    private JsonNode ok(String body) {
        HttpResponse<String> response = estimate(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    @Test
    void shouldCountATextWithO200kForGpt4oAndPriceItAtTheVersionInForceNow() {
        JsonNode estimate = ok("{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"text\":\"Hello, world!\"}");

        assertThat(estimate.path("input_tokens").asLong()).isEqualTo(4);
        assertThat(estimate.path("output_tokens").asLong()).isZero();
        assertThat(estimate.path("tokenizer").asText()).isEqualTo("o200k_base");
        assertThat(estimate.path("estimated").asBoolean()).isFalse();
        assertThat(estimate.path("unpriced").asBoolean()).isFalse();
        assertThat(estimate.path("price_version").asText()).isEqualTo("v2");
        assertThat(estimate.path("cost_usd").path("input").asText()).isEqualTo("0.000010000");
        assertThat(estimate.path("cost_usd").path("total").asText()).isEqualTo("0.000010000");
    }

    @Test
    void shouldCountWithCl100kForOlderOpenAiModels() {
        String text = "\"text\":\"こんにちは世界\"}";

        JsonNode gpt4 = ok("{\"provider\":\"openai\",\"model\":\"gpt-4-turbo\"," + text);
        JsonNode gpt4o = ok("{\"provider\":\"openai\",\"model\":\"gpt-4o\"," + text);

        assertThat(gpt4.path("tokenizer").asText()).isEqualTo("cl100k_base");
        assertThat(gpt4.path("input_tokens").asLong()).isEqualTo(4);
        assertThat(gpt4o.path("input_tokens").asLong()).isEqualTo(2);
    }

    @Test
    void shouldFlagOtherProvidersCountsAsEstimated() {
        JsonNode estimate = ok("{\"provider\":\"anthropic\",\"model\":\"claude-sonnet-4\",\"text\":\"Hello, world!\","
                + "\"output_tokens\":1000}");

        assertThat(estimate.path("estimated").asBoolean()).isTrue();
        assertThat(estimate.path("tokenizer").asText()).isEqualTo("o200k_base");
        assertThat(estimate.path("input_tokens").asLong()).isEqualTo(4);
        assertThat(estimate.path("cost_usd").path("input").asText()).isEqualTo("0.000012000");
        assertThat(estimate.path("cost_usd").path("output").asText()).isEqualTo("0.015000000");
        assertThat(estimate.path("cost_usd").path("total").asText()).isEqualTo("0.015012000");
    }

    @Test
    void shouldCountChatMessagesAsOpenAiDocuments() {
        JsonNode estimate = ok("{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Hello, world!\"},"
                + "{\"role\":\"user\",\"name\":\"x\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, world!\"}]}]}");

        // per message 3 + role (1) + content (4), +1 and the name (1) for the second, + 3 to prime the reply
        assertThat(estimate.path("input_tokens").asLong()).isEqualTo(8 + 10 + 3);
    }

    @Test
    void shouldPriceGivenTokenCountsPerClassWithMeteringsRounding() {
        JsonNode estimate = ok("{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\",\"input_tokens\":1234567,"
                + "\"cached_input_tokens\":1000,\"output_tokens\":333}");

        assertThat(estimate.path("tokenizer").isNull()).isTrue();
        assertThat(estimate.path("estimated").asBoolean()).isFalse();
        JsonNode cost = estimate.path("cost_usd");
        assertThat(cost.path("input").asText()).isEqualTo("0.185185050");
        assertThat(cost.path("cached_input").asText()).isEqualTo("0.000075000");
        assertThat(cost.path("cache_write").asText()).isEqualTo("0.000000000");
        assertThat(cost.path("output").asText()).isEqualTo("0.000199800");
        assertThat(cost.path("total").asText()).isEqualTo("0.185459850");
    }

    @Test
    void shouldPriceADatedModelNameWithItsAliasesPrice() {
        JsonNode estimate = ok("{\"provider\":\"openai\",\"model\":\"gpt-4o-2024-08-06\",\"input_tokens\":1000000}");

        assertThat(estimate.path("unpriced").asBoolean()).isFalse();
        assertThat(estimate.path("price_version").asText()).isEqualTo("v2");
        assertThat(estimate.path("cost_usd").path("total").asText()).isEqualTo("2.500000000");
    }

    @Test
    void shouldFlagAnUnknownModelUnpricedAtZeroCost() {
        JsonNode estimate = ok("{\"provider\":\"mistral\",\"model\":\"mistral-nonexistent\",\"text\":\"Hello\","
                + "\"output_tokens\":10}");

        assertThat(estimate.path("unpriced").asBoolean()).isTrue();
        assertThat(estimate.path("price_version").isNull()).isTrue();
        assertThat(estimate.path("cost_usd").path("total").asText()).isEqualTo("0.000000000");
        assertThat(estimate.path("estimated").asBoolean()).isTrue();
    }

    @Test
    void shouldRequireExactlyOneSourceOfInputTokens() {
        assertThat(estimate("{\"provider\":\"openai\",\"model\":\"gpt-4o\"}").statusCode()).isEqualTo(422);
        HttpResponse<String> both = estimate("{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"text\":\"a\","
                + "\"input_tokens\":3}");
        assertThat(both.statusCode()).isEqualTo(422);
        assertThat(both.body()).contains("exactly one of text, messages or input_tokens");
    }

    @Test
    void shouldNameEveryInvalidField() {
        HttpResponse<String> response = estimate("{\"provider\":\"Open AI\",\"model\":\"\",\"input_tokens\":-1,"
                + "\"output_tokens\":1.5,\"colour\":\"red\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("errors").findValuesAsText("field"))
                .contains("provider", "model", "input_tokens", "output_tokens", "colour");
    }

    @Test
    void shouldRefuseMessagesWithoutContent() {
        HttpResponse<String> response = estimate("{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"messages\":["
                + "{\"role\":\"user\"},{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("errors").findValuesAsText("index")).containsExactly("0", "1");
    }
}
