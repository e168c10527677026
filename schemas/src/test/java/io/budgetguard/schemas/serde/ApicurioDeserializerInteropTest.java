package io.budgetguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Our bytes read by Apicurio's own Kafka deserializer: an independent implementation of the Confluent framing (magic
 * byte, 4-byte id, no headers) that resolves the id through Apicurio's native v3 API.
 */
@ExtendWith(SharedStack.class)
class ApicurioDeserializerInteropTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldBeDecodedByApicuriosDeserializer() {
        String topic = SharedStack.unique("interop");
        UsageEvent event = SampleRecords.of(UsageEvent.class);
        byte[] bytes = AvroSerde.of(UsageEvent.class, registry()).serialize(topic, event);

        Object decoded;
        try (AvroKafkaDeserializer<Object> apicurio = apicurioDeserializer()) {
            decoded = apicurio.deserialize(topic, bytes);
        }

        assertThat(decoded).isEqualTo(event);
    }

    @Test
    void shouldDecodeMoneyAndTimestampsLikeWeDo() {
        String topic = SharedStack.unique("interop-money");
        PricedUsage priced = SampleRecords.of(PricedUsage.class);
        byte[] bytes = AvroSerde.of(PricedUsage.class, registry()).serialize(topic, priced);

        Object decoded;
        try (AvroKafkaDeserializer<Object> apicurio = apicurioDeserializer()) {
            decoded = apicurio.deserialize(topic, bytes);
        }

        assertThat(decoded).isInstanceOfSatisfying(PricedUsage.class, read -> {
            assertThat(read.getCostUsd()).isEqualTo(SampleRecords.COST);
            assertThat(read.getOccurredAt()).isEqualTo(SampleRecords.TIME);
        });
    }

    @Test
    void shouldWriteTheContentIdThatApicurioAssigned() throws Exception {
        String topic = SharedStack.unique("interop-id");
        byte[] bytes = AvroSerde.of(UsageEvent.class, registry()).serialize(topic, SampleRecords.of(UsageEvent.class));
        int writtenId = ByteBuffer.wrap(bytes, 1, 4).getInt();

        JsonNode version = latestVersion(topic + "-value");

        assertThat(writtenId).isEqualTo(version.path("contentId").asInt());
    }

    private static AvroKafkaDeserializer<Object> apicurioDeserializer() {
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.REGISTRY_URL, SharedStack.stack().registry().registryV3Url());
        // the Confluent framing: the id in the payload, not in headers, and it is a content id (what ccompat returns)
        config.put(KafkaSerdeConfig.ENABLE_HEADERS, false);
        config.put(SerdeConfig.USE_ID, "contentId");
        config.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        AvroKafkaDeserializer<Object> deserializer = new AvroKafkaDeserializer<>();
        deserializer.configure(config, false);
        return deserializer;
    }

    private static JsonNode latestVersion(String subject) throws Exception {
        String url = SharedStack.stack().registry().registryV3Url() + "/groups/default/artifacts/"
                + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions/branch=latest";
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpSchemaRegistry registry() {
        return new HttpSchemaRegistry(SharedStack.stack().schemaRegistryUrl());
    }
}
