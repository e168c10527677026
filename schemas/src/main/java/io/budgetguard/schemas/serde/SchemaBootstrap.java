package io.budgetguard.schemas.serde;

import io.budgetguard.schemas.topics.Topic;
import io.budgetguard.schemas.topics.Topics;
import org.apache.avro.specific.SpecificData;

/**
 * Registers every topic's value schema and sets BACKWARD compatibility on its subject, so that an incompatible
 * change is refused by the registry before any service writes with it. Idempotent: run at every start-up.
 */
public final class SchemaBootstrap {

    private SchemaBootstrap() {}

    public static void registerAll(SchemaRegistry registry) {
        for (Topic<?> topic : Topics.ALL) {
            registry.setCompatibility(topic.valueSubject(), "BACKWARD");
            registry.register(topic.valueSubject(), SpecificData.get().getSchema(topic.valueType()));
        }
    }
}
