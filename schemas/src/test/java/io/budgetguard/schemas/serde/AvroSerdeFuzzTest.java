package io.budgetguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.budgetguard.schemas.topics.Topic;
import io.budgetguard.schemas.topics.Topics;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Coverage-guided fuzzing of {@link AvroSerde#deserialize}: whatever bytes a topic holds, decoding either yields a
 * record that re-encodes to an equal record, or fails with the documented exceptions — {@link SerializationException}
 * (not the wire format, not Avro of that schema) or {@link SchemaRegistryException} 404 (a schema id the registry does
 * not know). Never another exception, an error such as {@code OutOfMemoryError}, or a hang.
 *
 * <p>The first input byte picks the topic (all of {@link Topics#ALL}, every schema registered, so ids 1–11 resolve and
 * a record may be read with another type's schema as writer), the rest is the record value. Under {@code ./mvnw
 * verify} this runs the seeds in {@code AvroSerdeFuzzTestInputs/decode/} (valid records of every type and every
 * finding so far); {@code JAZZER_FUZZ=1} fuzzes (docs/SECURITY.md).
 */
class AvroSerdeFuzzTest {

    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();
    private static final List<Topic<?>> TOPICS = Topics.ALL;
    private static final List<AvroSerde<? extends SpecificRecord>> SERDES =
            TOPICS.stream().<AvroSerde<? extends SpecificRecord>>map(t -> t.valueSerde(REGISTRY)).toList();

    static {
        // the same ids in every run: register in the order of Topics.ALL
        for (Topic<?> topic : TOPICS) {
            REGISTRY.register(topic.valueSubject(), SpecificData.get().getSchema(topic.valueType()));
        }
    }

    @FuzzTest(maxDuration = "10m")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int which = Byte.toUnsignedInt(input[0]) % TOPICS.size();
        String topic = TOPICS.get(which).name();
        byte[] value = Arrays.copyOfRange(input, 1, input.length);
        roundTrip(SERDES.get(which), topic, value);
    }

    private static <T extends SpecificRecord> void roundTrip(AvroSerde<T> serde, String topic, byte[] value) {
        T record;
        try {
            record = serde.deserialize(topic, value);
        } catch (SerializationException expected) {
            return;
        } catch (SchemaRegistryException e) {
            assertThat(e.httpStatus()).as("only an unknown schema id may fail in the registry").isEqualTo(404);
            return;
        }
        assertThat(record).isNotNull();
        // what decodes is a record this service could have written: it encodes again, to the same record
        byte[] again = serde.serialize(topic, record);
        assertThat(serde.deserialize(topic, again)).isEqualTo(record);
    }
}
