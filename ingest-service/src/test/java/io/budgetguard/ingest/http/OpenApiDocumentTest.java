package io.budgetguard.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.ingest.testing.Http;
import io.budgetguard.ingest.testing.TestIngest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /openapi.json} describes exactly the routes the server registered, completely and consistently. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    private TestIngest ingest;
    private JsonNode document;

    @BeforeAll
    void start() {
        ingest = TestIngest.start(Clock.systemUTC());
        HttpResponse<String> response = ingest.send("GET", "/openapi.json", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        document = Http.json(response);
    }

    @AfterAll
    void stop() {
        ingest.close();
    }

    /** Every (method, path) of the document as {@code "METHOD /path"}. */
    private List<String> documentedRoutes() {
        List<String> routes = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (METHODS.contains(method)) {
                routes.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return routes;
    }

    private List<Map.Entry<String, JsonNode>> operations() {
        List<Map.Entry<String, JsonNode>> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(method -> {
            if (METHODS.contains(method.getKey())) {
                operations.add(Map.entry(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), method.getValue()));
            }
        }));
        return operations;
    }

    @Test
    void shouldBeOpenApi31() {
        assertThat(document.path("openapi").asText()).startsWith("3.1.");
        assertThat(document.path("info").path("title").asText()).isNotBlank();
    }

    @Test
    void shouldDescribeEveryRegisteredRouteAndNoOther() {
        List<String> registered = ingest.server.routes();

        assertThat(registered).contains("POST /v1/usage", "POST /admin/tenant/{id}/apikeys", "GET /openapi.json");
        assertThat(new TreeSet<>(documentedRoutes())).containsExactlyElementsOf(new TreeSet<>(registered));
    }

    @Test
    void shouldDeclareBothSecuritySchemesAndUseTheRightOneOnEachRoute() {
        JsonNode schemes = document.path("components").path("securitySchemes");
        assertThat(schemes.path("bearerAuth").path("scheme").asText()).isEqualTo("bearer");
        assertThat(schemes.path("adminKey").path("in").asText()).isEqualTo("header");
        assertThat(schemes.path("adminKey").path("name").asText()).isEqualTo("X-Admin-Key");

        for (Map.Entry<String, JsonNode> operation : operations()) {
            String route = operation.getKey();
            JsonNode security = operation.getValue().path("security");
            String expected = route.contains(" /v1/") ? "bearerAuth" : route.contains(" /admin/") ? "adminKey" : null;
            if (expected == null) {
                assertThat(security.isArray() && security.isEmpty()).as(route + " is public").isTrue();
            } else {
                assertThat(security.path(0).has(expected)).as(route + " needs " + expected).isTrue();
                assertThat(operation.getValue().path("responses").has("401")).as(route + " documents 401").isTrue();
            }
        }
    }

    @Test
    void shouldDescribeResponsesAndErrorsOfEveryOperation() {
        Set<String> ids = new TreeSet<>();
        for (Map.Entry<String, JsonNode> operation : operations()) {
            JsonNode op = operation.getValue();
            assertThat(ids.add(op.path("operationId").asText())).as("unique operationId of " + operation.getKey()).isTrue();
            assertThat(op.path("summary").asText()).as(operation.getKey()).isNotBlank();
            assertThat(op.path("responses").fieldNames()).as(operation.getKey())
                    .toIterable().anyMatch(status -> status.startsWith("2"));
            op.path("responses").fields().forEachRemaining(response -> {
                if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                    JsonNode resolved = resolve(response.getValue());
                    if (!operation.getKey().equals("GET /health/ready")) {
                        assertThat(resolved.path("content").has("application/problem+json"))
                                .as(operation.getKey() + " " + response.getKey() + " is problem+json").isTrue();
                    }
                }
            });
            if (operation.getKey().startsWith("POST") || operation.getKey().startsWith("PUT")
                    || operation.getKey().startsWith("PATCH")) {
                assertThat(op.path("requestBody").path("content").has("application/json"))
                        .as(operation.getKey() + " has a request schema").isTrue();
            }
        }
        JsonNode limited = resolve(document.at("/paths/~1v1~1usage/post/responses/429"));
        assertThat(limited.path("headers").has("Retry-After")).isTrue();
        assertThat(resolve(document.at("/paths/~1v1~1usage/post/responses/503")).path("headers").has("Retry-After")).isTrue();
    }

    @Test
    void shouldResolveEveryReference() {
        List<String> references = new ArrayList<>();
        collectReferences(document, references);

        assertThat(references).isNotEmpty();
        for (String reference : references) {
            assertThat(reference).startsWith("#/");
            assertThat(document.at(reference.substring(1)).isMissingNode()).as(reference).isFalse();
        }
    }

    @Test
    void shouldDescribeEveryFieldTheUsageEndpointAccepts() {
        JsonNode event = document.at("/components/schemas/UsageEvent/properties");

        assertThat(event.fieldNames()).toIterable().containsExactlyInAnyOrder("event_id", "occurred_at", "provider",
                "model", "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens",
                "end_user", "metadata", "usage");
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode ref = node.path("$ref");
        return ref.isTextual() ? document.at(ref.asText().substring(1)) : node;
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().equals("$ref") && field.getValue().isTextual()) {
                    references.add(field.getValue().asText());
                } else {
                    collectReferences(field.getValue(), references);
                }
            }
        } else if (node.isArray()) {
            node.forEach(element -> collectReferences(element, references));
        }
    }
}
