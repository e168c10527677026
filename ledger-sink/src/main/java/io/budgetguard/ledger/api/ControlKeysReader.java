package io.budgetguard.ledger.api;

import io.budgetguard.common.control.ControlTopicReader;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Feeds the {@link ControlKeysView} from the API-key and tenant topics (their names may be renamed, as the audit
 * trail's are), read from the beginning for the life of the service by the shared {@link ControlTopicReader}, as ingest
 * does. Until the view caught up the ledger API answers 503.
 */
public final class ControlKeysReader implements AutoCloseable {

    private final ControlTopicReader reader;

    public ControlKeysReader(String bootstrap, SchemaRegistry registry, String apiKeysTopic, String tenantsTopic,
            ControlKeysView view) {
        Map<String, Deserializer<?>> values = new LinkedHashMap<>();
        values.put(apiKeysTopic, Topics.CONTROL_APIKEYS.valueSerde(registry).deserializer());
        values.put(tenantsTopic, Topics.CONTROL_TENANTS.valueSerde(registry).deserializer());
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                ControlTopicReader.consumerConfig(bootstrap, "ledger-api-control-view"));
        this.reader = new ControlTopicReader("ledger-api-control-view", consumer, values,
                new ControlTopicReader.Target() {
                    @Override
                    public void apply(String topic, String key, Object value, int partition, long offset) {
                        if (topic.equals(apiKeysTopic)) {
                            view.apiKey(key, (ApiKey) value);
                        } else {
                            view.tenant(key, (Tenant) value);
                        }
                    }

                    @Override
                    public boolean isCaughtUp() {
                        return view.isCaughtUp();
                    }

                    @Override
                    public void markCaughtUp() {
                        view.markCaughtUp();
                    }
                });
    }

    public ControlKeysReader start() {
        reader.start();
        return this;
    }

    @Override
    public void close() {
        reader.close();
    }
}
