package io.budgetguard.ledger.sink;

import static org.awaitility.Awaitility.await;

import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.store.LedgerColumns;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Not a test: a measurement, run on demand with {@code -Dledger.bench=true -Dtest=SinkThroughputBenchmark}. Drains N
 * priced events through the sink, then COPYs the same rows (as the superuser, straight into ledger_entries) and prints
 * both rates and their ratio (PRODUCT.md §7: sink ≥ 0.5 × raw COPY).
 */
@ExtendWith(SharedStack.class)
@EnabledIfSystemProperty(named = "ledger.bench", matches = "true")
class SinkThroughputBenchmark {

    private static final int EVENTS = Integer.getInteger("ledger.bench.events", 200_000);
    private static final int TENANTS = 20;

    @Test
    void measure() throws Exception {
        LocalStack stack = SharedStack.stack();
        LedgerDatabase db = LedgerDatabase.create("bench");
        String topic = SharedStack.unique("priced");
        try (Admin admin = stack.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        String prefix = SharedStack.uniqueSuffix();
        try (KafkaProducer<String, PricedUsage> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new StringSerializer(),
                Topics.USAGE_PRICED.valueSerde(new HttpSchemaRegistry(stack.schemaRegistryUrl())).serializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String tenant = prefix + "-t" + (i % TENANTS);
                producer.send(new ProducerRecord<>(topic, tenant, Fixtures.priced(tenant, "evt-" + i).build()));
            }
        }
        LedgerSinkConfig config = LedgerSinkConfig.of(stack.kafkaBootstrap(), stack.schemaRegistryUrl(), db.url(),
                db.writerUser(), db.writerPassword()).withTopic(topic).withConsumerGroup(SharedStack.unique("g"))
                .withHttp("127.0.0.1", 0);

        long start = System.nanoTime();
        try (LedgerSinkService sink = new LedgerSinkService(config).start()) {
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() -> count(db) == EVENTS);
        }
        double sinkSeconds = (System.nanoTime() - start) / 1e9;
        double firstToLast = recordedSpanSeconds(db);

        // Raw COPY of the same rows into the same table, renamed tenants, in batches of the sink's size.
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        try (Connection superuser = db.superuser()) {
            CopyManager copy = superuser.unwrap(PGConnection.class).getCopyAPI();
            copy.copyOut("COPY (SELECT 'raw-' || tenant_id, " + LedgerColumns.INSERTED.substring("tenant_id, ".length())
                    + " FROM ledger_entries) TO STDOUT (FORMAT csv)", csv);
            byte[] bytes = csv.toByteArray();
            List<int[]> chunks = chunks(bytes, LedgerSinkConfig.DEFAULT_MAX_POLL_RECORDS);
            superuser.setAutoCommit(false);
            long copyStart = System.nanoTime();
            for (int[] chunk : chunks) {
                copy.copyIn("COPY ledger_entries (" + LedgerColumns.INSERTED + ") FROM STDIN (FORMAT csv)",
                        new ByteArrayInputStream(bytes, chunk[0], chunk[1] - chunk[0]));
                superuser.commit();
            }
            double copySeconds = (System.nanoTime() - copyStart) / 1e9;
            System.out.printf("%nSINK BENCHMARK: %d events%n  sink: %.0f events/s end to end incl. group join "
                    + "(%.1f s), %.0f events/s first-to-last commit%n  raw COPY (batches of %d, superuser): %.0f rows/s%n"
                    + "  ratio (first-to-last / raw COPY): %.2f%n%n",
                    EVENTS, EVENTS / sinkSeconds, sinkSeconds, EVENTS / firstToLast,
                    LedgerSinkConfig.DEFAULT_MAX_POLL_RECORDS, EVENTS / copySeconds,
                    (EVENTS / firstToLast) / (EVENTS / copySeconds));
        }
    }

    private static long count(LedgerDatabase db) throws Exception {
        try (Connection c = db.superuser(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM ledger_entries")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static double recordedSpanSeconds(LedgerDatabase db) throws Exception {
        try (Connection c = db.superuser(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT extract(epoch FROM max(recorded_at) - min(recorded_at)) FROM ledger_entries")) {
            r.next();
            return r.getDouble(1);
        }
    }

    private static List<int[]> chunks(byte[] bytes, int linesPerChunk) {
        List<int[]> chunks = new java.util.ArrayList<>();
        int begin = 0;
        int lines = 0;
        boolean quoted = false;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '"') {
                quoted = !quoted;
            } else if (bytes[i] == '\n' && !quoted && ++lines == linesPerChunk) {
                chunks.add(new int[] {begin, i + 1});
                begin = i + 1;
                lines = 0;
            }
        }
        if (begin < bytes.length) {
            chunks.add(new int[] {begin, bytes.length});
        }
        return chunks;
    }
}
