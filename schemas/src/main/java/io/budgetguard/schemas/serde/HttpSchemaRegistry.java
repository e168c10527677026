package io.budgetguard.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Client of the Confluent Schema Registry REST API (works with Confluent SR, Apicurio's {@code /apis/ccompat/v7},
 * Karapace and Redpanda). Ids are cached for ever: the registry never changes what an id means.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public HttpSchemaRegistry(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public HttpSchemaRegistry(String baseUrl, Duration timeout) {
        String normalized = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        this.baseUri = URI.create(normalized);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(schema, s -> {
                    String body = JSON.createObjectNode().put("schema", s.toString()).toString();
                    JsonNode answer = call("POST", "subjects/" + encode(subject) + "/versions", body,
                            "register a schema under subject " + subject);
                    int id = answer.path("id").asInt(-1);
                    if (id < 0) {
                        throw new SchemaRegistryException("Registry answered without an id for subject " + subject, 200);
                    }
                    schemasById.putIfAbsent(id, s);
                    return id;
                });
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, i -> {
            JsonNode answer = call("GET", "schemas/ids/" + i, null, "fetch schema id " + i);
            return new Schema.Parser().parse(answer.path("schema").asText());
        });
    }

    @Override
    public void setCompatibility(String subject, String level) {
        String body = JSON.createObjectNode().put("compatibility", level).toString();
        call("PUT", "config/" + encode(subject), body, "set compatibility of subject " + subject);
    }

    /** True when {@code schema} may be registered under {@code subject} by the subject's compatibility rule. */
    public boolean isCompatible(String subject, Schema schema) {
        String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
        JsonNode answer = call("POST", "compatibility/subjects/" + encode(subject) + "/versions/latest", body,
                "check compatibility for subject " + subject);
        return answer.path("is_compatible").asBoolean(false);
    }

    private JsonNode call(String method, String path, String body, String what) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUri.resolve(path))
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException("Schema registry unreachable at " + baseUri + ": cannot " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted: cannot " + what, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException("Schema registry refused to " + what + ": HTTP " + response.statusCode()
                    + " " + abbreviate(response.body()), response.statusCode());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("Schema registry sent invalid JSON when asked to " + what, e);
        }
    }

    private static String encode(String subject) {
        return java.net.URLEncoder.encode(subject, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
