package io.budgetguard.ingest.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.topics.Topic;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControlPlaneReaderTest {

    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final ControlPlaneView view = new ControlPlaneView();
    private final ControlPlaneReader reader = new ControlPlaneReader(consumer, registry, view);
    private final TopicPartition tenants = new TopicPartition(Topics.CONTROL_TENANTS.name(), 0);

    @AfterEach
    void stop() {
        reader.close();
    }

    private void topicsExist() {
        Map<TopicPartition, Long> beginnings = new HashMap<>();
        for (Topic<?> topic : ControlPlaneView.TOPICS) {
            consumer.updatePartitions(topic.name(),
                    List.of(new PartitionInfo(topic.name(), 0, Node.noNode(), new Node[0], new Node[0])));
            beginnings.put(new TopicPartition(topic.name(), 0), 0L);
        }
        consumer.updateBeginningOffsets(beginnings);
    }

    private void endOffsets(long tenantsEnd) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (Topic<?> topic : ControlPlaneView.TOPICS) {
            ends.put(new TopicPartition(topic.name(), 0), 0L);
        }
        ends.put(tenants, tenantsEnd);
        consumer.updateEndOffsets(ends);
    }

    private byte[] encode(Tenant tenant) {
        return Topics.CONTROL_TENANTS.valueSerde(registry).serialize(Topics.CONTROL_TENANTS.name(), tenant);
    }

    private void record(long offset, String key, byte[] value) {
        consumer.schedulePollTask(() -> consumer.addRecord(
                new ConsumerRecord<>(tenants.topic(), 0, offset, key, value)));
    }

    @Test
    void shouldCatchUpAtOnceWhenEveryTopicIsEmpty() {
        topicsExist();
        endOffsets(0);

        reader.start();

        await().atMost(Duration.ofSeconds(5)).until(view::isCaughtUp);
    }

    @Test
    void shouldReadFromTheBeginningAndCatchUpAtTheEndOffsetsSeenAtStart() {
        topicsExist();
        endOffsets(2);
        record(0, "acme", encode(new Tenant("acme", "Acme", "active", null, null, T, T)));
        record(1, "beta", encode(new Tenant("beta", "Beta", "active", null, null, T, T)));

        reader.start();

        await().atMost(Duration.ofSeconds(5)).until(view::isCaughtUp);
        assertThat(view.tenants()).extracting(Tenant::getTenantId).containsExactly("acme", "beta");
    }

    @Test
    void shouldNotBeCaughtUpBeforeReachingTheEndOffsets() {
        topicsExist();
        endOffsets(5);
        record(0, "acme", encode(new Tenant("acme", "Acme", "active", null, null, T, T)));

        reader.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> view.tenant("acme").isPresent());
        assertThat(view.isCaughtUp()).isFalse();
    }

    @Test
    void shouldApplyTombstones() {
        topicsExist();
        endOffsets(2);
        record(0, "acme", encode(new Tenant("acme", "Acme", "active", null, null, T, T)));
        record(1, "acme", null);

        reader.start();

        await().atMost(Duration.ofSeconds(5)).until(view::isCaughtUp);
        assertThat(view.tenant("acme")).isEmpty();
    }

    @Test
    void shouldSkipARecordItCannotDecode() {
        topicsExist();
        endOffsets(2);
        record(0, "junk", new byte[] {1, 2, 3});
        record(1, "acme", encode(new Tenant("acme", "Acme", "active", null, null, T, T)));

        reader.start();

        await().atMost(Duration.ofSeconds(5)).until(view::isCaughtUp);
        assertThat(view.tenants()).extracting(Tenant::getTenantId).containsExactly("acme");
    }

    @Test
    void shouldWaitForTopicsThatDoNotExistYet() {
        reader.start();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !view.isCaughtUp());

        topicsExist();
        endOffsets(0);
        await().atMost(Duration.ofSeconds(5)).until(view::isCaughtUp);
    }
}
