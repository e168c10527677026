package io.budgetguard.metering.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.serde.SchemaRegistryException;
import io.budgetguard.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/**
 * The hand-written reader must give exactly what the generic {@code SpecificDatumReader} gives (through
 * {@link AvroSerde}) for every record of the current schema, valid or damaged, and leave other writer schemas to it.
 */
class UsageEventReaderTest {

    private static final String TOPIC = Topics.USAGE_EVENTS.name();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<UsageEvent> serde = Topics.USAGE_EVENTS.valueSerde(registry);
    private final AtomicInteger genericCalls = new AtomicInteger();
    private final Deserializer<UsageEvent> countingGeneric = (topic, bytes) -> {
        genericCalls.incrementAndGet();
        return serde.deserialize(topic, bytes);
    };
    private final UsageEventReader reader = new UsageEventReader(registry, countingGeneric);

    @Test
    void theSchemaIsTheOneTheReaderWasWrittenFor() {
        // the reader reads these fields in this order: a schema change must change it too
        assertThat(UsageEvent.getClassSchema().getFields().stream()
                .map(f -> f.name() + ":" + describe(f.schema())).collect(Collectors.toList()))
                .containsExactly("tenant_id:string", "api_key_id:string", "event_id:string",
                        "occurred_at:long/timestamp-millis", "received_at:long/timestamp-millis", "provider:string",
                        "model:string", "input_tokens:long", "cached_input_tokens:long", "cache_write_tokens:long",
                        "output_tokens:long", "reasoning_tokens:long", "end_user:[null,string]", "metadata:map<string>");
    }

    @Test
    void randomEventsDecodeAsTheGenericReaderDecodesThem() {
        SplittableRandom random = new SplittableRandom(23);
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = serde.serialize(TOPIC, randomEvent(random));
            UsageEvent expected = serde.deserialize(TOPIC, bytes);
            UsageEvent actual = reader.deserialize(TOPIC, bytes);
            assertThat(actual).as("event %d", i).isEqualTo(expected);
            // the same iteration order too: the metadata is written out again in it (usage.priced.v1)
            assertThat(new ArrayList<>(actual.getMetadata().entrySet()))
                    .isEqualTo(new ArrayList<>(expected.getMetadata().entrySet()));
        }
        assertThat(genericCalls).hasValue(0);
    }

    @Test
    void damagedRecordsAreRefusedOrDecodedExactlyAsTheGenericReaderDoes() {
        SplittableRandom random = new SplittableRandom(29);
        int refused = 0;
        int decoded = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = damage(random, serde.serialize(TOPIC, randomEvent(random)));
            UsageEvent expected;
            try {
                expected = serde.deserialize(TOPIC, bytes);
            } catch (SerializationException e) {
                refused++;
                assertThatThrownBy(() -> reader.deserialize(TOPIC, bytes)).as("damaged record %d: %s", i,
                        Arrays.toString(bytes)).isInstanceOf(SerializationException.class);
                continue;
            }
            decoded++;
            assertThat(reader.deserialize(TOPIC, bytes)).as("damaged record %d", i).isEqualTo(expected);
        }
        // both kinds occurred often enough to mean something
        assertThat(refused).isGreaterThan(1_000);
        assertThat(decoded).isGreaterThan(500);
    }

    @Test
    void mapsInSeveralBlocksAndBlocksWithByteSizesDecode() throws IOException {
        // a writer may split a map into blocks and give a block's size in bytes (negative count): valid Avro
        int id = serde.schemaId(TOPIC);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        for (String s : List.of("acme", "k1", "evt-1")) {
            encoder.writeString(s);
        }
        encoder.writeLong(1_700_000_000_000L);
        encoder.writeLong(1_700_000_000_003L);
        encoder.writeString("openai");
        encoder.writeString("gpt-4o");
        for (long tokens : new long[] {10, 0, 0, 5, 0}) {
            encoder.writeLong(tokens);
        }
        encoder.writeIndex(1);
        encoder.writeString("user-ü");
        encoder.writeLong(2); // a block of two entries
        encoder.writeString("a");
        encoder.writeString("1");
        encoder.writeString("b");
        encoder.writeString("2");
        encoder.writeLong(-1); // a block of one entry, 4 bytes
        encoder.writeLong(4);
        encoder.writeString("c");
        encoder.writeString("3");
        encoder.writeLong(0);
        encoder.flush();
        byte[] bytes = out.toByteArray();
        UsageEvent event = reader.deserialize(TOPIC, bytes);
        assertThat(event).isEqualTo(serde.deserialize(TOPIC, bytes));
        assertThat(event.getMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2", "c", "3"));
        assertThat(event.getEndUser()).isEqualTo("user-ü");
    }

    @Test
    void recordsOfAnotherWriterSchemaGoToTheGenericReader() throws IOException {
        // an older schema without reasoning_tokens: the generic reader resolves it (default 0)
        Schema current = UsageEvent.getClassSchema();
        List<Schema.Field> fields = current.getFields().stream().filter(f -> !f.name().equals("reasoning_tokens"))
                .map(f -> new Schema.Field(f, f.schema())).collect(Collectors.toList());
        Schema older = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        int olderId = registry.register(TOPIC + "-value", older);
        GenericRecord record = new GenericData.Record(older);
        UsageEvent event = new UsageEvent("acme", "k1", "evt-1", Instant.parse("2026-03-01T10:00:00Z"),
                Instant.parse("2026-03-01T10:00:00.003Z"), "openai", "gpt-4o", 1_000L, 10L, 0L, 200L, 50L, "ü",
                Map.of("team", "søk"));
        for (Schema.Field field : older.getFields()) {
            Object value = event.get(field.name());
            record.put(field.name(), value instanceof Instant instant ? instant.toEpochMilli() : value);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (olderId >>> 24), (byte) (olderId >>> 16), (byte) (olderId >>> 8),
                (byte) olderId});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(older).write(record, encoder);
        encoder.flush();
        byte[] bytes = out.toByteArray();

        UsageEvent decoded = reader.deserialize(TOPIC, bytes);
        assertThat(genericCalls).hasValue(1);
        assertThat(decoded.getReasoningTokens()).isZero();
        assertThat(decoded.getEventId()).isEqualTo(event.getEventId());
        assertThat(decoded).isEqualTo(serde.deserialize(TOPIC, bytes));

        // the same layout with another doc and a property of its own (a registry tells it apart): the reader's own path
        Schema redocumented = new Schema.Parser().parse(current.toString().replace("Uncached input tokens.",
                "Input tokens not read from a cache.").replace("\"namespace\":\"io.budgetguard.schemas\",",
                "\"namespace\":\"io.budgetguard.schemas\",\"x-revision\":\"2\","));
        assertThat(redocumented).isNotEqualTo(current);
        int redocumentedId = registry.register(TOPIC + "-value", redocumented);
        assertThat(redocumentedId).isNotEqualTo(serde.schemaId(TOPIC));
        byte[] same = serde.serialize(TOPIC, event);
        same[1] = (byte) (redocumentedId >>> 24);
        same[2] = (byte) (redocumentedId >>> 16);
        same[3] = (byte) (redocumentedId >>> 8);
        same[4] = (byte) redocumentedId;
        assertThat(reader.deserialize(TOPIC, same)).isEqualTo(serde.deserialize(TOPIC, same));
        assertThat(genericCalls).hasValue(1);
    }

    @Test
    void notTheWireFormatOrAnUnknownIdIsRefusedAsByTheGenericReader() {
        assertThat(reader.deserialize(TOPIC, null)).isNull();
        assertThatThrownBy(() -> reader.deserialize(TOPIC, new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> reader.deserialize(TOPIC, new byte[] {0, 0, 0}))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> reader.deserialize(TOPIC, new byte[] {0, 0, 0, 0x7F, 0x7F, 2}))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
    }

    /** Truncated, a byte changed, a byte inserted or bytes appended: whatever the record becomes. */
    private static byte[] damage(SplittableRandom random, byte[] bytes) {
        int at = 5 + random.nextInt(bytes.length - 5);
        return switch (random.nextInt(4)) {
            case 0 -> Arrays.copyOf(bytes, at);
            case 1 -> {
                byte[] changed = bytes.clone();
                changed[at] = (byte) random.nextInt(256);
                yield changed;
            }
            case 2 -> {
                byte[] longer = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, longer, 0, at);
                longer[at] = (byte) random.nextInt(256);
                System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                yield longer;
            }
            default -> {
                byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));
                for (int i = bytes.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                yield longer;
            }
        };
    }

    private static String describe(Schema schema) {
        return switch (schema.getType()) {
            case UNION -> schema.getTypes().stream().map(s -> s.getType().getName())
                    .collect(Collectors.joining(",", "[", "]"));
            case MAP -> "map<" + schema.getValueType().getType().getName() + ">";
            default -> schema.getType().getName()
                    + (schema.getLogicalType() == null ? "" : "/" + schema.getLogicalType().getName());
        };
    }

    private static UsageEvent randomEvent(SplittableRandom random) {
        Map<String, String> metadata = new LinkedHashMap<>();
        int entries = random.nextInt(3) == 0 ? 0 : random.nextInt(40);
        for (int i = 0; i < entries; i++) {
            metadata.put(text(random, random.nextInt(20)), text(random, random.nextInt(100)));
        }
        return new UsageEvent(text(random, 1 + random.nextInt(70)), text(random, 1 + random.nextInt(20)),
                text(random, 1 + random.nextInt(128)), Instant.ofEpochMilli(random.nextLong(-100_000_000_000L,
                        4_000_000_000_000L)), Instant.ofEpochMilli(random.nextLong(4_000_000_000_000L)),
                text(random, random.nextInt(33)), text(random, random.nextInt(128)), longValue(random),
                longValue(random), longValue(random), longValue(random), longValue(random),
                random.nextBoolean() ? null : text(random, random.nextInt(256)), metadata);
    }

    private static long longValue(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> random.nextInt(64);
            case 2 -> random.nextInt(1_000_000);
            case 3 -> random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            case 4 -> -random.nextLong(Long.MAX_VALUE);
            default -> random.nextLong(Long.MAX_VALUE);
        };
    }

    /** Text of {@code length} chars: ASCII, 2- and 3-byte UTF-8, surrogate pairs and unpaired surrogates. */
    private static String text(SplittableRandom random, int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                text.append((char) (0x20 + random.nextInt(0x5f)));
            } else if (kind < 7) {
                text.append((char) (0xa0 + random.nextInt(0x700)));
            } else if (kind < 8) {
                text.append((char) (0x3000 + random.nextInt(0x5000)));
            } else if (kind < 9 && text.length() + 2 <= length) {
                text.appendCodePoint(0x1F300 + random.nextInt(0x300));
            } else if (kind == 9) {
                text.append((char) (0xD800 + random.nextInt(0x800)));
            } else {
                text.append('x');
            }
        }
        return text.toString();
    }
}
