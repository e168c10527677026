package io.budgetguard.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The request body {@code {"events":[...]}} and the server's problem+json, with Jackson. */
final class UsageJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private UsageJson() {}

    static byte[] batch(List<UsageEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + events.size() * 200);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeArrayFieldStart("events");
            for (UsageEvent event : events) {
                write(json, event);
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator json, UsageEvent event) throws IOException {
        json.writeStartObject();
        json.writeStringField("event_id", event.eventId());
        json.writeStringField("occurred_at", event.occurredAt().toString());
        json.writeStringField("provider", event.provider());
        json.writeStringField("model", event.model());
        json.writeNumberField("input_tokens", event.inputTokens());
        json.writeNumberField("cached_input_tokens", event.cachedInputTokens());
        json.writeNumberField("cache_write_tokens", event.cacheWriteTokens());
        json.writeNumberField("output_tokens", event.outputTokens());
        json.writeNumberField("reasoning_tokens", event.reasoningTokens());
        if (event.endUser() != null) {
            json.writeStringField("end_user", event.endUser());
        }
        if (!event.metadata().isEmpty()) {
            json.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> entry : event.metadata().entrySet()) {
                json.writeStringField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    /** A problem+json answer; an unreadable body leaves title, detail and errors empty. */
    record Problem(String title, String detail, List<FieldError> errors) {

        static Problem parse(String body) {
            if (body == null || body.isBlank()) {
                return new Problem(null, null, List.of());
            }
            try {
                JsonNode node = MAPPER.readTree(body);
                List<FieldError> errors = new ArrayList<>();
                for (JsonNode error : node.path("errors")) {
                    errors.add(new FieldError(error.hasNonNull("index") ? error.get("index").asInt() : null,
                            error.hasNonNull("field") ? error.get("field").asText() : null,
                            error.path("message").asText("")));
                }
                return new Problem(text(node, "title"), text(node, "detail"), errors);
            } catch (IOException | RuntimeException e) {
                return new Problem(null, null, List.of());
            }
        }

        private static String text(JsonNode node, String field) {
            return node.hasNonNull(field) ? node.get(field).asText() : null;
        }
    }
}
