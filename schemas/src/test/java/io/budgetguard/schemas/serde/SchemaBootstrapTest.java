package io.budgetguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedStack.class)
class SchemaBootstrapTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void registerAll() {
        SchemaBootstrap.registerAll(new HttpSchemaRegistry(SharedStack.stack().schemaRegistryUrl()));
    }

    @Test
    void shouldRefuseAnIncompatibleChangeWithHttp409() throws Exception {
        Schema incompatible = withFieldWithoutDefault(UsageEvent.getClassSchema(), "region");
        HttpSchemaRegistry registry = new HttpSchemaRegistry(SharedStack.stack().schemaRegistryUrl());

        assertThatThrownBy(() -> registry.register(Topics.USAGE_EVENTS.valueSubject(), incompatible))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.isTransient()).as("an incompatible schema is not retried at start-up").isFalse();
                });
        assertThat(registry.isCompatible(Topics.USAGE_EVENTS.valueSubject(), incompatible)).isFalse();
    }

    @Test
    void shouldTellAnUnreachableRegistryFromARefusal() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        HttpSchemaRegistry unreachable = new HttpSchemaRegistry("http://127.0.0.1:" + closedPort);

        assertThatThrownBy(() -> SchemaBootstrap.registerAll(unreachable))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(-1);
                    assertThat(e.isTransient()).isTrue();
                });
        assertThat(new SchemaRegistryException("refused", 503).isTransient()).isTrue();
        assertThat(new SchemaRegistryException("refused", 429).isTransient()).isTrue();
        assertThat(new SchemaRegistryException("refused", 401).isTransient()).isFalse();
        assertThat(new SchemaRegistryException("bad JSON",
                new com.fasterxml.jackson.core.JsonParseException(null, "x")).isTransient()).isFalse();
    }

    @Test
    void shouldSetBackwardCompatibilityOnEverySubject() throws Exception {
        for (var topic : Topics.ALL) {
            assertThat(compatibilityOf(topic.valueSubject())).as(topic.valueSubject()).isEqualTo("BACKWARD");
        }
    }

    @Test
    void shouldRegisterEverySubjectAndBeRepeatable() throws Exception {
        SchemaBootstrap.registerAll(new HttpSchemaRegistry(SharedStack.stack().schemaRegistryUrl()));

        String subjects = get("/subjects");
        for (var topic : Topics.ALL) {
            assertThat(subjects).contains("\"" + topic.valueSubject() + "\"");
        }
    }

    private static String compatibilityOf(String subject) throws Exception {
        return JSON.readTree(get("/config/" + subject)).path("compatibilityLevel").asText();
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(SharedStack.stack().schemaRegistryUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static Schema withFieldWithoutDefault(Schema schema, String name) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
        ((ArrayNode) json.get("fields")).addObject().put("name", name).put("type", "string");
        return new Schema.Parser().parse(json.toString());
    }
}
