package io.budgetguard.ledger.sink;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes each record with the Avro type of its topic: the sink reads priced usage, alerts and the control plane with
 * one consumer, so that all of them commit in the same transactions. A record of an unexpected topic is refused.
 */
final class TopicValueDeserializer implements Deserializer<SpecificRecord> {

    private final Map<String, Deserializer<? extends SpecificRecord>> byTopic;

    TopicValueDeserializer(Map<String, Deserializer<? extends SpecificRecord>> byTopic) {
        this.byTopic = Map.copyOf(byTopic);
    }

    @Override
    public SpecificRecord deserialize(String topic, byte[] data) {
        Deserializer<? extends SpecificRecord> deserializer = byTopic.get(topic);
        if (deserializer == null) {
            throw new IllegalStateException("The ledger sink has no decoder for topic " + topic);
        }
        return data == null ? null : deserializer.deserialize(topic, data);
    }
}
