package io.budgetguard.metering.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.schemas.topics.Topics;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * The shape MeteringConfig relies on: with {@code max.task.idle.ms} disabled (D34), a task that read two partitions
 * would no longer wait to process their records in timestamp order. Every sub-topology therefore reads exactly one
 * topic, the usage events; the control topics feed global stores, which are not tasks' partitions.
 */
class MeteringTopologyShapeTest {

    @Test
    void everySubTopologyReadsExactlyOneTopicSoTaskIdlingHasNothingToSynchronise() {
        TopologyDescription description = MeteringTopology.build(MeteringSerdes.using(new InMemorySchemaRegistry()),
                MeteringTopologyConfig.defaults()).describe();

        List<Set<String>> sourcesBySubTopology = description.subtopologies().stream().map(subtopology -> {
            Set<String> topics = new TreeSet<>();
            subtopology.nodes().stream().filter(TopologyDescription.Source.class::isInstance)
                    .map(TopologyDescription.Source.class::cast).forEach(source -> topics.addAll(source.topicSet()));
            return (Set<String>) topics;
        }).toList();

        assertThat(sourcesBySubTopology).isNotEmpty().allSatisfy(topics -> assertThat(topics).hasSize(1));
        assertThat(sourcesBySubTopology).anySatisfy(topics ->
                assertThat(topics).containsExactly(Topics.USAGE_EVENTS.name()));
        assertThat(description.globalStores()).isNotEmpty();
    }
}
