package io.budgetguard.ingest.control;

import io.budgetguard.common.control.ControlTopicReader;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topic;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Feeds the {@link ControlPlaneView} from its topics ({@link ControlPlaneView#TOPICS}, read from the beginning for the
 * life of the service) with the shared {@link ControlTopicReader}; the view keeps each record's partition and offset so
 * that the admin API's own writes are never rolled back by a lagging read.
 */
public final class ControlPlaneReader implements AutoCloseable {

    private final ControlTopicReader reader;

    public ControlPlaneReader(Consumer<String, byte[]> consumer, SchemaRegistry registry, ControlPlaneView view) {
        Map<String, Deserializer<?>> values = new LinkedHashMap<>();
        for (Topic<?> topic : ControlPlaneView.TOPICS) {
            values.put(topic.name(), topic.valueSerde(registry).deserializer());
        }
        this.reader = new ControlTopicReader("control-plane-reader", consumer, values, new ControlTopicReader.Target() {
            @Override
            public void apply(String topic, String key, Object value, int partition, long offset) {
                view.apply(topic, key, value, partition, offset);
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

    /** Consumer settings: no group, nothing committed, transactional records only once committed. */
    public static Map<String, Object> consumerConfig(String bootstrapServers) {
        return ControlTopicReader.consumerConfig(bootstrapServers, "ingest-control-view");
    }

    public void start() {
        reader.start();
    }

    @Override
    public void close() {
        reader.close();
    }
}
