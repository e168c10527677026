package io.budgetguard.schemas.topics;

import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.SchemaRegistry;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A topic: its name and the type of its values. Keys are always strings (tenant id or entity id), values Avro in the
 * Confluent wire format under the subject {@code <name>-value} (TopicNameStrategy).
 */
public record Topic<V extends SpecificRecord>(String name, Class<V> valueType) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(valueType, "valueType");
    }

    public String valueSubject() {
        return name + "-value";
    }

    public Serde<String> keySerde() {
        return Serdes.String();
    }

    public AvroSerde<V> valueSerde(SchemaRegistry registry) {
        return AvroSerde.of(valueType, registry);
    }
}
