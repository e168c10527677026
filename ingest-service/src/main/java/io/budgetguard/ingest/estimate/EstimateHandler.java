package io.budgetguard.ingest.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.pricing.TokenCost;
import io.budgetguard.ingest.auth.TenantGate;
import io.budgetguard.ingest.http.JsonFields;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.schemas.control.ModelPrice;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/estimate} (developer or above): the tokens of a text or of chat messages for a model (or token
 * counts given as they are), and what they would cost at the prices in force now, rounded as metering rounds
 * ({@link TokenCost}). Output tokens cannot be known before the call: they count only when given. A model without a
 * price is {@code unpriced} and costs 0, as metering would book it.
 *
 * <pre>{@code
 * {"provider":"openai","model":"gpt-4o","text":"Hello"}                      -> input_tokens counted
 * {"provider":"anthropic","model":"claude-sonnet-4","messages":[{"role":"user","content":"Hi"}],"output_tokens":500}
 * {"provider":"openai","model":"gpt-4o","input_tokens":1200,"output_tokens":300}
 * }</pre>
 */
public final class EstimateHandler implements Handler {

    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final Set<String> FIELDS = Set.of("provider", "model", "text", "messages", "input_tokens",
            "cached_input_tokens", "cache_write_tokens", "output_tokens");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name");
    private static final int MAX_MESSAGES = 10_000;

    /** The cost of each token class and the total, USD as decimal strings with 9 decimals. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CostJson(String input, String cachedInput, String cacheWrite, String output, String total) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record EstimateJson(String provider, String model, long inputTokens, long cachedInputTokens,
            long cacheWriteTokens, long outputTokens, String tokenizer, boolean estimated, boolean unpriced,
            String priceVersion, Instant pricedAt, CostJson costUsd) {}

    private final TenantGate gate;
    private final CurrentPrices prices;
    private final TokenCounter counter = new TokenCounter();
    private final Clock clock;

    public EstimateHandler(TenantGate gate, CurrentPrices prices, Clock clock) {
        this.gate = gate;
        this.prices = prices;
        this.clock = clock;
    }

    @Override
    public void handle(Context ctx) {
        gate.admit(ctx, Role.DEVELOPER);
        RequestBodies.requireJson(ctx);
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx), FIELDS);
        String provider = fields.requiredString("provider");
        if (provider != null && !PROVIDER.matcher(provider).matches()) {
            fields.error("provider", "must be 1 to 32 characters [a-z0-9_-]");
        }
        String model = fields.printable("model", 128, true);
        long cachedInput = count(fields, "cached_input_tokens");
        long cacheWrite = count(fields, "cache_write_tokens");
        long output = count(fields, "output_tokens");
        int sources = (fields.has("text") ? 1 : 0) + (fields.has("messages") ? 1 : 0)
                + (fields.has("input_tokens") ? 1 : 0);
        if (sources != 1) {
            fields.error("text", "send exactly one of text, messages or input_tokens");
        }
        String text = fields.optionalString("text");
        List<TokenCounter.Message> messages = fields.has("messages") ? messages(fields) : null;
        long givenInput = count(fields, "input_tokens");
        fields.throwIfInvalid();

        TokenCounter.Count input = text != null ? counter.countText(provider, model, text)
                : messages != null ? counter.countMessages(provider, model, messages)
                : new TokenCounter.Count(givenInput, null, false);
        Instant now = Instant.ofEpochMilli(clock.millis());
        Optional<ModelPrice> price = prices.at(provider, model, now);
        ctx.json(new EstimateJson(provider, model, input.tokens(), cachedInput, cacheWrite, output, input.tokenizer(),
                input.estimated(), price.isEmpty(), price.map(ModelPrice::getVersion).orElse(null), now,
                cost(price, input.tokens(), cachedInput, cacheWrite, output)));
    }

    private static CostJson cost(Optional<ModelPrice> price, long input, long cachedInput, long cacheWrite, long output) {
        if (price.isEmpty()) {
            String zero = TokenCost.ZERO.toPlainString();
            return new CostJson(zero, zero, zero, zero, zero);
        }
        ModelPrice p = price.get();
        BigDecimal inputCost = TokenCost.classCost(input, p.getInputPerMtok());
        BigDecimal cachedCost = TokenCost.classCost(cachedInput, p.getCachedInputPerMtok());
        BigDecimal writeCost = TokenCost.classCost(cacheWrite, p.getCacheWritePerMtok());
        BigDecimal outputCost = TokenCost.classCost(output, p.getOutputPerMtok());
        BigDecimal total = inputCost.add(cachedCost).add(writeCost).add(outputCost);
        return new CostJson(inputCost.toPlainString(), cachedCost.toPlainString(), writeCost.toPlainString(),
                outputCost.toPlainString(), total.toPlainString());
    }

    private static long count(JsonFields fields, String name) {
        JsonNode node = fields.node(name);
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            fields.error(name, "must be an integer >= 0");
            return 0;
        }
        return node.longValue();
    }

    /** Chat messages: {@code role} and {@code content} (a string, or OpenAI's array of text parts), optional {@code name}. */
    private static List<TokenCounter.Message> messages(JsonFields fields) {
        JsonNode list = fields.node("messages");
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_MESSAGES) {
            fields.error("messages", "must be an array of 1 to " + MAX_MESSAGES + " messages");
            return List.of();
        }
        List<TokenCounter.Message> messages = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            if (!node.isObject()) {
                fields.element(node, i, Set.of()).error("messages", "must be a message object");
                continue;
            }
            JsonFields message = fields.element(node, i, MESSAGE_FIELDS);
            String role = message.requiredString("role");
            String name = message.optionalString("name");
            String content = content(message, node.get("content"));
            if (role != null && content != null) {
                messages.add(new TokenCounter.Message(role, content, name));
            }
        }
        return messages;
    }

    private static String content(JsonFields message, JsonNode content) {
        if (content == null || content.isNull()) {
            message.error("content", "is required");
            return null;
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    message.error("content", "parts must be {\"type\":\"text\",\"text\":\"...\"}; only text is counted");
                    return null;
                }
                text.append(part.path("text").textValue());
            }
            return text.toString();
        }
        message.error("content", "must be a string or an array of text parts");
        return null;
    }
}
