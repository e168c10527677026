package io.budgetguard.metering;

import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.monthlyBudget;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.testing.LoopbackHttp;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.FlakyHttpProxy;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.metering.testing.Fixtures;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.RejectedUsage;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.serde.SchemaRegistryException;
import io.budgetguard.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * metering-streams against a real broker and registry (the shared local stack), exactly-once on: events and control
 * records are produced as ingest and the admin API would, outputs are read with {@code read_committed}.
 */
@ExtendWith(SharedStack.class)
class MeteringServiceTest {

    /** All events of a test share one tenant (one partition, in order) and one month, whenever the test runs. */
    private static final Instant OCCURRED = Instant.parse("2026-11-02T10:00:00Z");

    private LocalStack stack;
    private HttpSchemaRegistry registry;
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> consumer;
    private final List<PricedUsage> priced = new ArrayList<>();
    private final List<BudgetAlert> alerts = new ArrayList<>();
    private final List<RejectedUsage> rejected = new ArrayList<>();
    private String tenant;
    private MeteringConfig config;
    private MeteringService service;

    @BeforeEach
    void setUp(LocalStack stack) {
        this.stack = stack;
        registry = new HttpSchemaRegistry(stack.schemaRegistryUrl());
        tenant = SharedStack.unique("tenant");
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.USAGE_PRICED.name(), Topics.BUDGET_ALERTS.name(),
                Topics.USAGE_REJECTED.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets now, before anything is produced
        Path stateDir = Path.of("target", "streams-state", tenant).toAbsolutePath();
        config = MeteringConfig.defaults(stack.kafkaBootstrap(), stack.schemaRegistryUrl())
                .withApplicationId("metering-" + tenant)
                .withStateDir(stateDir)
                .withHttpPort(0);
    }

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
        producer.close();
        consumer.close();
    }

    @Test
    void shouldWaitAtStartUpForASchemaRegistryThatIsStillStarting() {
        try (FlakyHttpProxy flaky = FlakyHttpProxy.start(stack.schemaRegistryUrl(), 3)) {
            config = new MeteringConfig(config.kafkaBootstrap(), flaky.url(), config.applicationId(),
                    config.stateDir(), config.httpHost(), 0, 1, config.commitInterval(), 1, config.closeTimeout(), null,
                    config.sessionTimeout(), config.transactionTimeout(), Duration.ofSeconds(60), config.topology(),
                    config.authLimits());
            service = startService();
            assertThat(flaky.requests()).as("three refusals, then the registrations").isGreaterThan(3);
            await().atMost(Duration.ofSeconds(60)).until(service::isReady);
        }
    }

    @Test
    void shouldGiveUpOnAnUnavailableSchemaRegistryAtTheStartUpDeadline() {
        try (FlakyHttpProxy flaky = FlakyHttpProxy.start(stack.schemaRegistryUrl(), Integer.MAX_VALUE)) {
            MeteringConfig unavailable = new MeteringConfig(config.kafkaBootstrap(), flaky.url(),
                    config.applicationId(), config.stateDir(), config.httpHost(), 0, 1, config.commitInterval(), 1,
                    config.closeTimeout(), null, config.sessionTimeout(), config.transactionTimeout(),
                    Duration.ofMillis(1_500), config.topology(), config.authLimits());
            MeteringService failing = new MeteringService(unavailable);
            assertThatThrownBy(failing::start).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("HTTP 503");
            assertThat(flaky.requests()).as("retried until the deadline").isGreaterThan(1);
        }
    }

    @Test
    void shouldPriceAndAlertExactlyOnceAcrossDuplicatesBadRecordsAndARestart() throws Exception {
        ModelPrice price = testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z"));
        Budget budget = monthlyBudget(tenant, "monthly", "1");
        send(Topics.CONTROL_PRICES.name(), Fixtures.priceKey(price), price, Topics.CONTROL_PRICES.valueSerde(registry));
        send(Topics.CONTROL_BUDGETS.name(), Fixtures.budgetKey(budget), budget,
                Topics.CONTROL_BUDGETS.valueSerde(registry));
        // GET /v1/spend's failed-attempt limit per client address comes from the configuration (STREAMS_…)
        config = config.withAuthLimits(AuthLimits.DEFAULTS.withFailuresPerMinute(30, 2));
        service = startService();

        sendEvent("e1", 400_000);
        sendEvent("e2", 150_000);        // 0.55 → 50 %
        sendEvent("e2", 150_000);        // duplicate
        producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS.name(), tenant,
                "not avro".getBytes(StandardCharsets.UTF_8))).get();
        sendEvent("e3", 300_000);        // 0.85 → 80 %
        sendEvent("s1", 0);              // sentinel: once priced, everything before it was processed
        awaitPriced("s1");

        assertThat(priced).extracting(PricedUsage::getEventId).containsExactly("e1", "e2", "e3", "s1");
        assertThat(alerts).extracting(BudgetAlert::getThresholdPercent).containsExactly(50, 80);
        assertThat(rejected).singleElement()
                .satisfies(r -> assertThat(r.getReason()).startsWith("undecodable"));
        assertThat(get("/health/ready")).isEqualTo(200);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .filteredOn(name -> name.startsWith(config.applicationId() + "-") && name.contains("-StreamThread-"))
                .as("the default count of stream threads (D39)").hasSize(2);
        assertThat(List.of(1, 2, 3).stream().map(i -> LoopbackHttp.get("127.0.0.2", service.port(), "/v1/spend",
                "Bearer " + ApiKeys.generate().token()).status()).toList())
                .as("random key ids from one address, 2 allowed a minute").containsExactly(401, 401, 429);
        assertThat(LoopbackHttp.get("127.0.0.3", service.port(), "/v1/spend", "Bearer " + ApiKeys.generate().token())
                .status()).isEqualTo(401);

        service.close();
        service = startService();        // same application id and state directory

        sendEvent("e1", 400_000);        // a duplicate from before the restart
        sendEvent("e4", 200_000);        // 1.05 → 100 %
        sendEvent("s2", 0);
        awaitPriced("s2");

        assertThat(priced).extracting(PricedUsage::getEventId).containsExactly("e1", "e2", "e3", "s1", "e4", "s2");
        assertThat(alerts).extracting(BudgetAlert::getAlertId).containsExactly(
                tenant + "/monthly/2026-11-01T00:00:00Z/50",
                tenant + "/monthly/2026-11-01T00:00:00Z/80",
                tenant + "/monthly/2026-11-01T00:00:00Z/100");
    }

    private MeteringService startService() {
        MeteringService started = new MeteringService(config).start();
        await().atMost(Duration.ofSeconds(60)).until(started::isReady);
        return started;
    }

    private void sendEvent(String eventId, long inputTokens) throws Exception {
        UsageEvent event = event(tenant, eventId, OCCURRED, inputTokens);
        send(Topics.USAGE_EVENTS.name(), tenant, event, Topics.USAGE_EVENTS.valueSerde(registry));
    }

    private <V extends org.apache.avro.specific.SpecificRecord> void send(String topic, String key, V value,
            AvroSerde<V> serde) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, serde.serialize(topic, value))).get();
    }

    private void awaitPriced(String eventId) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            poll();
            assertThat(priced).extracting(PricedUsage::getEventId).contains(eventId);
        });
    }

    /** Collects this test's tenant's committed output records. */
    private void poll() {
        AvroSerde<PricedUsage> pricedSerde = Topics.USAGE_PRICED.valueSerde(registry);
        AvroSerde<BudgetAlert> alertSerde = Topics.BUDGET_ALERTS.valueSerde(registry);
        AvroSerde<RejectedUsage> rejectedSerde = Topics.USAGE_REJECTED.valueSerde(registry);
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (!tenant.equals(record.key())) {
                continue;
            }
            switch (record.topic()) {
                case "usage.priced.v1" -> priced.add(pricedSerde.deserialize(record.topic(), record.value()));
                case "budget.alerts.v1" -> alerts.add(alertSerde.deserialize(record.topic(), record.value()));
                case "usage.rejected.v1" -> rejected.add(rejectedSerde.deserialize(record.topic(), record.value()));
                default -> throw new AssertionError("Unexpected topic " + record.topic());
            }
        }
    }

    private int get(String path) throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path)).build(),
                HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }
}
