package io.budgetguard.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.infra.testing.SharedStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.awaitility.Awaitility.await;

@ExtendWith(SharedStack.class)
class LocalStackTest {

    @Test
    void shouldProduceAndConsumeOnTheBroker() throws Exception {
        LocalStack stack = SharedStack.stack();
        String topic = SharedStack.unique("smoke");
        try (Admin admin = stack.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(stack))) {
            producer.send(new ProducerRecord<>(topic, "tenant-a", "hello")).get();
        }
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(stack))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
            });
        }
        assertThat(received).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("tenant-a");
            assertThat(record.value()).isEqualTo("hello");
        });
    }

    @Test
    void shouldApplyTheTopicManifestAtStart() throws Exception {
        try (Admin admin = SharedStack.stack().admin()) {
            assertThat(admin.listTopics().names().get()).contains("usage.events.v1", "control.budgets.v1",
                    "ledger.checkpoints.v1");
        }
    }

    @Test
    void shouldServeTheConfluentRegistryApi() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(SharedStack.stack().schemaRegistryUrl() + "/subjects")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("[");
    }

    @Test
    void shouldAnswerSqlOnTheBudgetguardDatabase() throws Exception {
        EmbeddedPostgres postgres = SharedStack.stack().postgres();
        try (Connection connection = postgres.connect(EmbeddedPostgres.DATABASE);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select 1")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void shouldCreateASeparateDatabasePerCaller() throws Exception {
        String first = SharedStack.createDatabase("ledger");
        String second = SharedStack.createDatabase("ledger");
        EmbeddedPostgres postgres = SharedStack.stack().postgres();

        assertThat(first).isNotEqualTo(second);
        try (Connection connection = DriverManager.getConnection(first, postgres.superuser(),
                postgres.superuserPassword());
                Statement statement = connection.createStatement()) {
            statement.execute("create table marker (id int)");
        }
        try (Connection connection = DriverManager.getConnection(second, postgres.superuser(),
                postgres.superuserPassword());
                ResultSet tables = connection.getMetaData().getTables(null, "public", "marker", null)) {
            assertThat(tables.next()).isFalse();
        }
    }

    @Test
    void shouldInjectTheSharedStackAsAParameter(LocalStack injected) {
        assertThat(injected).isSameAs(SharedStack.stack());
    }

    private static Properties producerProps(LocalStack stack) {
        Properties props = new Properties();
        props.putAll(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all"));
        return props;
    }

    private static Properties consumerProps(LocalStack stack) {
        Properties props = new Properties();
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, SharedStack.unique("group"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        return props;
    }
}
