package io.budgetguard.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.common.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Client of ingest-service's admin API ({@code X-Admin-Key}), used by dev mode to seed the demo tenant and by the
 * CLI's admin subcommands. Errors carry the server's problem detail, never the admin key.
 */
public final class AdminClient {

    private final URI baseUri;
    private final String adminKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public AdminClient(String baseUrl, String adminKey) {
        this.baseUri = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.adminKey = adminKey;
    }

    public JsonNode createTenant(String id, String name) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("id", id).put("name", name);
        return send("POST", "admin/tenants", body.toString());
    }

    /** Creates a tenant with its own events-per-second rate limit. */
    public JsonNode createTenant(String id, String name, int rateLimitEventsPerS) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("id", id).put("name", name)
                .put("rate_limit_events_per_s", rateLimitEventsPerS);
        return send("POST", "admin/tenants", body.toString());
    }

    /** Creates an API key; the answer's {@code api_key} is the only time the secret is shown. */
    public CreatedKey createApiKey(String tenantId, String role) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("role", role);
        JsonNode answer = send("POST", "admin/tenant/" + tenantId + "/apikeys", body.toString());
        return new CreatedKey(answer.path("key_id").asText(), answer.path("api_key").asText(), answer.path("role").asText());
    }

    public JsonNode putBudget(String tenantId, String budgetId, BigDecimal limitUsd, String period, List<Integer> thresholds) {
        return putBudget(tenantId, budgetId, limitUsd, period, thresholds, null);
    }

    /** A budget narrowed to one model when {@code model} is not null. */
    public JsonNode putBudget(String tenantId, String budgetId, BigDecimal limitUsd, String period, List<Integer> thresholds,
            String model) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("limit_usd", limitUsd.toPlainString()).put("period", period);
        thresholds.forEach(body.putArray("thresholds")::add);
        if (model != null) {
            body.put("model", model);
        }
        return send("PUT", "admin/tenant/" + tenantId + "/budgets/" + budgetId, body.toString());
    }

    /** Sends a price catalog in the {@code PUT /admin/prices} shape. */
    public JsonNode putPrices(String catalogJson) {
        return send("PUT", "admin/prices", catalogJson);
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("X-Admin-Key", adminKey)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new AdminApiException(method + " /" + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AdminApiException("Cannot reach the admin API at " + baseUri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminApiException("Interrupted while calling the admin API", e);
        }
    }

    public record CreatedKey(String keyId, String apiKey, String role) {}

    public static final class AdminApiException extends RuntimeException {
        public AdminApiException(String message) {
            super(message);
        }

        public AdminApiException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
