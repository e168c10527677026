package io.budgetguard.ingest.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.http.ProblemException;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class UsagePublisherTest {

    private static final Instant AT = Instant.parse("2025-06-15T12:00:00Z");
    private final AtomicLong available = new AtomicLong(1_000_000);

    private static UsageEvent event(String id) {
        return new UsageEvent("acme", "k0123456789abcde", id, AT, AT, "openai", "gpt-4o", 10L, 0L, 0L, 2L, 0L, null,
                Map.of());
    }

    private static Metric gauge(String name, AtomicLong value) {
        MetricName metricName = new MetricName(name, "producer-metrics", "", Map.of());
        return new Metric() {
            @Override
            public MetricName metricName() {
                return metricName;
            }

            @Override
            public Object metricValue() {
                return (double) value.get();
            }
        };
    }

    private MockProducer<String, byte[]> producerWithBuffer(boolean autoComplete) {
        MockProducer<String, byte[]> producer = new MockProducer<>(autoComplete, null, new StringSerializer(),
                new ByteArraySerializer());
        Metric free = gauge("buffer-available-bytes", available);
        Metric total = gauge("buffer-total-bytes", new AtomicLong(1_000_000));
        producer.setMockMetrics(free.metricName(), free);
        producer.setMockMetrics(total.metricName(), total);
        return producer;
    }

    @Test
    void shouldReturnOnceEveryEventIsAcknowledged() {
        MockProducer<String, byte[]> producer = producerWithBuffer(true);
        UsagePublisher publisher = new UsagePublisher(producer, new InMemorySchemaRegistry(), Duration.ofSeconds(1));

        publisher.publish("acme", List.of(event("a"), event("b")));

        assertThat(producer.history()).extracting(record -> record.key()).containsExactly("acme", "acme");
    }

    @Test
    void shouldSendSmallRequestsThroughTheSmallRequestProducerAndBatchesThroughTheOther() {
        MockProducer<String, byte[]> batching = producerWithBuffer(true);
        MockProducer<String, byte[]> small = producerWithBuffer(true);
        UsagePublisher publisher = new UsagePublisher(batching, small, new InMemorySchemaRegistry(), Duration.ofSeconds(1));
        List<UsageEvent> few = java.util.stream.IntStream.range(0, UsagePublisher.SMALL_REQUEST_MAX_EVENTS)
                .mapToObj(i -> event("s" + i)).toList();
        List<UsageEvent> many = java.util.stream.IntStream.range(0, UsagePublisher.SMALL_REQUEST_MAX_EVENTS + 1)
                .mapToObj(i -> event("b" + i)).toList();

        publisher.publish("acme", List.of(event("one")));
        publisher.publish("acme", few);
        publisher.publish("acme", many);

        assertThat(small.history()).hasSize(1 + few.size());
        assertThat(batching.history()).hasSize(many.size());
    }

    @Test
    void shouldAnswer503AtTheDeadlineWhenAcknowledgementsAreMissing() {
        MockProducer<String, byte[]> producer = producerWithBuffer(false);
        UsagePublisher publisher = new UsagePublisher(producer, new InMemorySchemaRegistry(), Duration.ofSeconds(1));

        long started = System.nanoTime();
        ProblemException refused = catchThrowableOfType(ProblemException.class,
                () -> publisher.publish("acme", List.of(event("a"))));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(refused.problem().status()).isEqualTo(503);
        assertThat(refused.headers()).containsKey("Retry-After");
        assertThat(took).isBetween(Duration.ofMillis(950), Duration.ofMillis(1900));
    }

    @Test
    void shouldAnswer503AtOnceWithoutSendingWhenTheBufferIsNearlyFull() {
        MockProducer<String, byte[]> producer = producerWithBuffer(true);
        UsagePublisher publisher = new UsagePublisher(producer, new InMemorySchemaRegistry(), Duration.ofSeconds(5));
        available.set(125_000); // the headroom is 1/8 of 1 000 000: any batch would eat into it

        long started = System.nanoTime();
        ProblemException refused = catchThrowableOfType(ProblemException.class,
                () -> publisher.publish("acme", List.of(event("a"))));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(refused.problem().status()).isEqualTo(503);
        assertThat(refused.problem().detail()).contains("buffer is full");
        assertThat(took).isLessThan(Duration.ofMillis(500));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldSendAgainOnceTheBufferHasRoom() {
        MockProducer<String, byte[]> producer = producerWithBuffer(true);
        UsagePublisher publisher = new UsagePublisher(producer, new InMemorySchemaRegistry(), Duration.ofSeconds(5));
        available.set(100_000);
        catchThrowableOfType(ProblemException.class, () -> publisher.publish("acme", List.of(event("a"))));

        available.set(900_000);
        publisher.publish("acme", List.of(event("a")));

        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void shouldBoundTheProducersBufferAndItsBlockingByConfiguration() {
        Map<String, Object> config = UsagePublisher.producerConfig("localhost:9092", 5, Duration.ofSeconds(2),
                4L * 1024 * 1024);

        assertThat(config).containsEntry("buffer.memory", 4L * 1024 * 1024)
                .containsEntry("max.block.ms", 400)
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true);
        assertThat((Integer) config.get("delivery.timeout.ms")).isLessThanOrEqualTo(2005);
    }

    @Test
    void shouldSendSmallRequestsUncompressedWithOtherwiseTheSameGuarantees() {
        Map<String, Object> batching = UsagePublisher.producerConfig("localhost:9092", 1, Duration.ofSeconds(2),
                4L * 1024 * 1024);
        Map<String, Object> small = UsagePublisher.smallProducerConfig("localhost:9092", 1, Duration.ofSeconds(2),
                4L * 1024 * 1024);

        assertThat(batching).containsEntry("compression.type", "lz4");
        assertThat(small).containsEntry("compression.type", "none").containsEntry("client.id", "ingest-small");
        Map<String, Object> rest = new java.util.HashMap<>(small);
        rest.put("compression.type", "lz4");
        rest.put("client.id", "ingest");
        assertThat(rest).isEqualTo(batching);
    }

    private static List<byte[]> encoded(UsagePublisher publisher, String... ids) {
        return java.util.Arrays.stream(ids).map(id -> UsageEventEncoder.encode(publisher.schemaId(), event(id))).toList();
    }

    @Test
    void shouldCompleteTheStageOnlyOnceEveryEventIsAcknowledged() {
        MockProducer<String, byte[]> producer = producerWithBuffer(false);
        UsagePublisher publisher = new UsagePublisher(producer, new InMemorySchemaRegistry(), Duration.ofSeconds(5));

        CompletableFuture<Void> acknowledged = publisher.publishEncodedAsync("acme", encoded(publisher, "a", "b"),
                System.nanoTime());

        assertThat(producer.history()).hasSize(2);
        assertThat(acknowledged).isNotDone();
        producer.completeNext();
        assertThat(acknowledged).isNotDone();
        producer.completeNext();
        assertThat(acknowledged).isCompleted();
    }

    @Test
    void shouldFailTheStageWith503WhenKafkaRefusesAnEvent() {
        MockProducer<String, byte[]> producer = producerWithBuffer(false);
        UsagePublisher publisher = new UsagePublisher(producer, new InMemorySchemaRegistry(), Duration.ofSeconds(5));

        CompletableFuture<Void> acknowledged = publisher.publishEncodedAsync("acme", encoded(publisher, "a", "b"),
                System.nanoTime());
        producer.completeNext();
        producer.errorNext(new org.apache.kafka.common.errors.NotEnoughReplicasException("isr"));

        assertThat(acknowledged).isCompletedExceptionally();
        ProblemException refused = catchThrowableOfType(ProblemException.class, () -> {
            try {
                acknowledged.join();
            } catch (CompletionException e) {
                throw e.getCause();
            }
        });
        assertThat(refused.problem().status()).isEqualTo(503);
        assertThat(refused.headers()).containsKey("Retry-After");
    }

    @Test
    void shouldFailTheStageWith503AtTheRequestsDeadlineWhenAcknowledgementsAreMissing() {
        MockProducer<String, byte[]> producer = producerWithBuffer(false);
        UsagePublisher publisher = new UsagePublisher(producer, new InMemorySchemaRegistry(), Duration.ofSeconds(1));
        long received = System.nanoTime() - Duration.ofMillis(300).toNanos(); // the request arrived 300 ms ago

        CompletableFuture<Void> acknowledged = publisher.publishEncodedAsync("acme", encoded(publisher, "a"), received);
        await().atMost(Duration.ofSeconds(3)).until(acknowledged::isDone);
        Duration took = Duration.ofNanos(System.nanoTime() - received);

        assertThat(acknowledged).isCompletedExceptionally();
        assertThat(took).isBetween(Duration.ofMillis(950), Duration.ofMillis(1500));
        producer.completeNext(); // a late acknowledgement changes nothing
        assertThat(acknowledged).isCompletedExceptionally();
    }
}
