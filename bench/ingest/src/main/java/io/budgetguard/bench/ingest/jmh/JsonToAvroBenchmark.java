package io.budgetguard.bench.ingest.jmh;

import io.budgetguard.ingest.usage.UsageEventEncoder;
import io.budgetguard.ingest.usage.UsageRequestReader;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What ingest does with a request body before Kafka: parse and validate every event of a batch and encode each as
 * the Confluent-framed Avro record it produces ({@link UsageRequestReader#readEncoded}, streaming Jackson straight
 * into {@link UsageEventEncoder}) — and, for comparison, the two encoders alone on the same events: the hand-written
 * one and the generated class's {@code SpecificDatumWriter} ({@link AvroSerde}), which ingest used before.
 * Reported per event ({@code OperationsPerInvocation} = batch size).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JsonToAvroBenchmark {

    static final int BATCH = 500;

    private byte[] body;
    private AvroSerde<UsageEvent> serde;
    private int schemaId;
    private List<UsageEvent> events;
    private final String topic = Topics.USAGE_EVENTS.name();

    @Setup
    public void setUp() {
        Instant occurredAt = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS);
        StringBuilder json = new StringBuilder("{\"events\":[");
        for (int i = 0; i < BATCH; i++) {
            json.append(i == 0 ? "" : ",").append("{\"event_id\":\"evt-").append(i).append("\",\"occurred_at\":\"")
                    .append(occurredAt).append("\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":")
                    .append(1000 + i).append(",\"cached_input_tokens\":24,\"output_tokens\":").append(100 + i)
                    .append(",\"metadata\":{\"route\":\"/chat\"}}");
        }
        body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        serde = Topics.USAGE_EVENTS.valueSerde(new InMemorySchemaRegistry());
        schemaId = serde.schemaId(topic);
        events = new UsageRequestReader("bench", "kbench", Instant.now()).read(body);
    }

    /** What ingest does per request: JSON to validated, encoded records. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<byte[]> parseValidateEncode() {
        return new UsageRequestReader("bench", "kbench", Instant.now(), schemaId).readEncoded(body, 0, body.length);
    }

    /** The hand-written encoder alone, from {@code UsageEvent} objects. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long encodeHandWritten() {
        long bytes = 0;
        for (UsageEvent event : events) {
            bytes += UsageEventEncoder.encode(schemaId, event).length;
        }
        return bytes;
    }

    /** The generated class's writer ({@code SpecificDatumWriter} through {@link AvroSerde}) on the same objects. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long encodeGenericWriter() {
        long bytes = 0;
        for (UsageEvent event : events) {
            bytes += serde.serialize(topic, event).length;
        }
        return bytes;
    }
}
