package io.budgetguard.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.json.Json;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where the chaos check reads the truth: the ledger (PostgreSQL, as the superuser of the dev database, so that row
 * level security does not hide rows), live spend ({@code GET /v1/spend} with each tenant's own key) and the alerts
 * ({@code budget.alerts.v1}, committed records only, decoded with the project's serde).
 */
public final class ChaosSources {

    /** How to reach everything; from dev.env. */
    public record Endpoints(String databaseUrl, String databaseUser, String databasePassword, String streamsUrl,
            String kafkaBootstrap, String schemaRegistryUrl) {}

    private final Endpoints endpoints;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ChaosSources(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", endpoints.databaseUser());
        props.setProperty("password", endpoints.databasePassword());
        return DriverManager.getConnection(endpoints.databaseUrl(), props);
    }

    public long ledgerCount(Collection<String> tenants) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("select count(*) from ledger_entries where tenant_id = any(?)")) {
            ps.setArray(1, c.createArrayOf("text", tenants.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public List<ChaosVerdict.LedgerRow> ledger(Collection<String> tenants) throws SQLException {
        List<ChaosVerdict.LedgerRow> rows = new ArrayList<>();
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(
                        "select tenant_id, event_id, cost_usd, occurred_at, model from ledger_entries where tenant_id = any(?)")) {
            Array array = c.createArrayOf("text", tenants.toArray());
            ps.setArray(1, array);
            ps.setFetchSize(10_000);
            c.setAutoCommit(false); // a cursor, not the whole result in memory at once
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new ChaosVerdict.LedgerRow(rs.getString(1), rs.getString(2), rs.getBigDecimal(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getString(5)));
                }
            }
            c.commit();
        }
        return rows;
    }

    /** {@code GET /v1/spend?budget_id=&period=} for each period; an error is kept as the answer's reason. */
    public Map<ChaosVerdict.PeriodKey, ChaosVerdict.StreamedSpend> spend(Collection<ChaosVerdict.PeriodKey> periods,
            Map<String, String> apiKeys) throws InterruptedException {
        Map<ChaosVerdict.PeriodKey, ChaosVerdict.StreamedSpend> result = new HashMap<>();
        for (ChaosVerdict.PeriodKey key : periods) {
            URI uri = URI.create(endpoints.streamsUrl() + "/v1/spend?budget_id="
                    + URLEncoder.encode(key.budgetId(), StandardCharsets.UTF_8) + "&period=" + key.periodStart());
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + apiKeys.get(key.tenant())).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    result.put(key, new ChaosVerdict.StreamedSpend(null, 0, "HTTP " + response.statusCode()));
                    continue;
                }
                JsonNode body = Json.MAPPER.readTree(response.body());
                LocalDate start = OffsetDateTime.parse(body.path("period_start").asText())
                        .atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
                if (!start.equals(key.periodStart())) {
                    result.put(key, new ChaosVerdict.StreamedSpend(null, 0, "answered for the period of " + start));
                    continue;
                }
                result.put(key, new ChaosVerdict.StreamedSpend(new BigDecimal(body.path("spend_usd").asText()),
                        body.path("event_count").asLong(), null));
            } catch (IOException e) {
                result.put(key, new ChaosVerdict.StreamedSpend(null, 0, e.toString()));
            }
        }
        return result;
    }

    /** Every committed alert on {@code budget.alerts.v1}, from the beginning to the current end. */
    public List<ChaosVerdict.SeenAlert> alerts() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroSerde<BudgetAlert> serde = AvroSerde.of(BudgetAlert.class, new HttpSchemaRegistry(endpoints.schemaRegistryUrl()));
        String topic = Topics.BUDGET_ALERTS.name();
        List<ChaosVerdict.SeenAlert> alerts = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    BudgetAlert alert = serde.deserialize(topic, record.value());
                    alerts.add(new ChaosVerdict.SeenAlert(new ChaosVerdict.PeriodKey(alert.getTenantId(),
                            alert.getBudgetId(), LocalDate.ofInstant(alert.getPeriodStart(), ZoneOffset.UTC)),
                            alert.getThresholdPercent()));
                }
            }
        }
        return alerts;
    }
}
