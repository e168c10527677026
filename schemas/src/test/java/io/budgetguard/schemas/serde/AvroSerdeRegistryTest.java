package io.budgetguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.topics.Topic;
import io.budgetguard.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The serde against a real Apicurio Registry through its Confluent-compatible API. */
@ExtendWith(SharedStack.class)
class AvroSerdeRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Topic<?>> topics() {
        return Topics.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    <V extends SpecificRecord> void shouldRoundTripEveryRecordType(Topic<V> topic) {
        AvroSerde<V> serde = topic.valueSerde(registry());
        V record = SampleRecords.of(topic.valueType());
        String name = SharedStack.unique(topic.name());

        V decoded = serde.deserialize(name, serde.serialize(name, record));

        assertThat(decoded).isEqualTo(record);
    }

    @Test
    void shouldKeepNineFractionDigitsOfCostAndTheMillisecondsOfTimestamps() {
        AvroSerde<PricedUsage> serde = AvroSerde.of(PricedUsage.class, registry());
        PricedUsage priced = SampleRecords.of(PricedUsage.class);
        priced.setCostUsd(new BigDecimal("0.000000001"));
        priced.setInputCostUsd(new BigDecimal("123456789.987654321"));
        priced.setOccurredAt(Instant.parse("2026-01-31T23:59:59.999Z"));
        String topic = SharedStack.unique("priced");

        PricedUsage decoded = serde.deserialize(topic, serde.serialize(topic, priced));

        assertThat(decoded.getCostUsd()).isEqualByComparingTo("0.000000001");
        assertThat(decoded.getCostUsd().scale()).isEqualTo(9);
        assertThat(decoded.getInputCostUsd()).isEqualTo(new BigDecimal("123456789.987654321"));
        assertThat(decoded.getOccurredAt()).isEqualTo(Instant.parse("2026-01-31T23:59:59.999Z"));
    }

    @Test
    void shouldGiveTheSameIdWhenTheSameSchemaIsRegisteredTwice() {
        String subject = SharedStack.unique("twice") + "-value";

        int first = new HttpSchemaRegistry(registryUrl()).register(subject, UsageEvent.getClassSchema());
        int second = new HttpSchemaRegistry(registryUrl()).register(subject, UsageEvent.getClassSchema());

        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldCallTheRegistryOnceForManyRecordsOfOneTopic() {
        CountingSchemaRegistry counting = new CountingSchemaRegistry(registry());
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class, counting);
        String topic = SharedStack.unique("cached");
        UsageEvent event = SampleRecords.of(UsageEvent.class);

        byte[] first = serde.serialize(topic, event);
        byte[] second = serde.serialize(topic, event);
        serde.deserialize(topic, first);
        serde.deserialize(topic, second);

        assertThat(counting.registerCalls).hasValue(1);
        assertThat(counting.schemaByIdCalls).hasValue(1);
    }

    @Test
    void shouldDecodeARecordWrittenWithAnOlderCompatibleSchema() throws Exception {
        Schema older = withoutFields(UsageEvent.getClassSchema(), "reasoning_tokens", "end_user", "metadata");
        String topic = SharedStack.unique("older");
        HttpSchemaRegistry registry = registry();
        int olderId = registry.register(topic + "-value", older);
        GenericRecord written = new GenericData.Record(older);
        UsageEvent sample = SampleRecords.of(UsageEvent.class);
        for (Schema.Field field : older.getFields()) {
            written.put(field.name(), sample.get(field.name()));
        }

        UsageEvent decoded = AvroSerde.of(UsageEvent.class, registry)
                .deserialize(topic, confluentFrame(olderId, older, written));

        assertThat(decoded.getEventId()).isEqualTo(sample.getEventId());
        assertThat(decoded.getOccurredAt()).isEqualTo(sample.getOccurredAt());
        assertThat(decoded.getReasoningTokens()).isZero();
        assertThat(decoded.getEndUser()).isNull();
        assertThat(decoded.getMetadata()).isEmpty();
    }

    private static byte[] confluentFrame(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
        new GenericDatumWriter<GenericRecord>(schema, model).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Schema withoutFields(Schema schema, String... names) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
        ArrayNode fields = (ArrayNode) json.get("fields");
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (Stream.of(names).anyMatch(fields.get(i).get("name").asText()::equals)) {
                fields.remove(i);
            }
        }
        return new Schema.Parser().parse(json.toString());
    }

    private static HttpSchemaRegistry registry() {
        return new HttpSchemaRegistry(registryUrl());
    }

    private static String registryUrl() {
        return SharedStack.stack().schemaRegistryUrl();
    }
}
