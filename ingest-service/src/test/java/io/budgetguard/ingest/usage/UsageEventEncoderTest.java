package io.budgetguard.ingest.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The hand-written encoder must write exactly the bytes of the generated class's {@code SpecificDatumWriter} (through
 * {@link AvroSerde}, Confluent framing included), both for events built in code and for events read from JSON.
 */
class UsageEventEncoderTest {

    private static final String TOPIC = Topics.USAGE_EVENTS.name();
    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00.123Z");

    private final AvroSerde<UsageEvent> serde = Topics.USAGE_EVENTS.valueSerde(new InMemorySchemaRegistry());
    private final int schemaId = serde.schemaId(TOPIC);

    @Test
    void theSchemaIsTheOneTheEncoderWasWrittenFor() {
        // the encoder writes these fields in this order: a schema change must change it too
        assertThat(UsageEvent.getClassSchema().getFields().stream()
                .map(f -> f.name() + ":" + describe(f.schema())).collect(Collectors.toList()))
                .containsExactly("tenant_id:string", "api_key_id:string", "event_id:string",
                        "occurred_at:long/timestamp-millis", "received_at:long/timestamp-millis", "provider:string",
                        "model:string", "input_tokens:long", "cached_input_tokens:long", "cache_write_tokens:long",
                        "output_tokens:long", "reasoning_tokens:long", "end_user:[null,string]", "metadata:map<string>");
    }

    @Test
    void eventsBuiltInCodeEncodeToTheGenericWritersBytes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            UsageEvent event = randomEvent(random);
            assertThat(UsageEventEncoder.encode(schemaId, event))
                    .as("event %d: %s", i, event)
                    .isEqualTo(serde.serialize(TOPIC, event));
        }
    }

    @Test
    void eventsReadFromJsonEncodeToTheGenericWritersBytes() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 2_000; i++) {
            UsageEvent expected = randomEvent(random, "acme", "k0123456789abcde", NOW, true);
            String json = json(expected, random.nextBoolean());
            List<byte[]> records = new UsageRequestReader("acme", "k0123456789abcde", NOW, schemaId)
                    .readEncoded(json.getBytes(StandardCharsets.UTF_8), 0, json.getBytes(StandardCharsets.UTF_8).length);
            assertThat(records).as(json).hasSize(1);
            assertThat(records.get(0)).as(json).isEqualTo(serde.serialize(TOPIC, expected));
        }
    }

    @Test
    void aBatchEncodesEveryEventWithTheRequestsTenantKeyAndReceivedTime() {
        SplittableRandom random = new SplittableRandom(3);
        List<UsageEvent> expected = new java.util.ArrayList<>();
        StringBuilder body = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 300; i++) {
            UsageEvent event = randomEvent(random, "tenant-ü", "k0123456789abcde", NOW, true);
            expected.add(event);
            body.append(i == 0 ? "" : ",").append(json(event, false));
        }
        byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        // the body as a slice of a larger array, as the HTTP layer may hand it over
        byte[] padded = new byte[bytes.length + 20];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        List<byte[]> records = new UsageRequestReader("tenant-ü", "k0123456789abcde", NOW, schemaId)
                .readEncoded(padded, 7, bytes.length);
        assertThat(records).hasSize(expected.size());
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i)).as("event %d", i).isEqualTo(serde.serialize(TOPIC, expected.get(i)));
        }
    }

    @Test
    void escapesNullsAndDefaultsEncodeAsTheGenericWriterDoes() {
        String json = "{\"metadata\":{\"k\\u00e9y\":\"line\\nbreak \\ud83d\\ude00 \\\"q\\\"\",\"lone\":\"\\ud800x\"},"
                + "\"end_user\":null,\"model\":\"gpt-4o \\u2603\",\"event_id\":\"e:1\",\"provider\":\"openai\","
                + "\"occurred_at\":\"2025-06-15T13:59:00.999+02:00\",\"input_tokens\":0,\"output_tokens\":9223372036854775807,"
                + "\"reasoning_tokens\":null}";
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("kéy", "line\nbreak \ud83d\ude00 \"q\"");
        metadata.put("lone", "\ud800x");
        UsageEvent expected = new UsageEvent("acme", "k0123456789abcde", "e:1", Instant.parse("2025-06-15T11:59:00.999Z"),
                NOW, "openai", "gpt-4o \u2603", 0L, 0L, 0L, Long.MAX_VALUE, 0L, null, metadata);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        List<byte[]> records = new UsageRequestReader("acme", "k0123456789abcde", NOW, schemaId)
                .readEncoded(body, 0, body.length);
        assertThat(records).singleElement().isEqualTo(serde.serialize(TOPIC, expected));
        // an unpaired surrogate becomes '?', as String.getBytes(UTF_8) (and so Avro) writes it
        assertThat(serde.deserialize(TOPIC, records.get(0)).getMetadata()).containsEntry("lone", "?x");
    }

    @Test
    void theStandaloneReaderDecodesWhatItEncoded() {
        String json = "{\"event_id\":\"evt-1\",\"occurred_at\":\"2025-06-15T11:59:00Z\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"input_tokens\":1000,\"output_tokens\":200,\"end_user\":\"ü@example.com\"}";
        UsageEvent event = new UsageRequestReader("acme", "k0123456789abcde", NOW)
                .read(json.getBytes(StandardCharsets.UTF_8)).get(0);
        assertThat(event.getEndUser()).isEqualTo("ü@example.com");
        assertThat(event.getReceivedAt()).isEqualTo(NOW);
        assertThat(event.getTenantId()).isEqualTo("acme");
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
        return randomEvent(random, text(random, 1 + random.nextInt(70), true), text(random, 1 + random.nextInt(20), true),
                Instant.ofEpochMilli(random.nextLong(-100_000_000_000L, 4_000_000_000_000L)), false);
    }

    /**
     * A varied event. {@code valid}: one ingest would accept at {@code received} (identifiers within their character
     * sets, times within the window, printable model).
     */
    private static UsageEvent randomEvent(SplittableRandom random, String tenant, String keyId, Instant received,
            boolean valid) {
        Map<String, String> metadata = new LinkedHashMap<>();
        int entries = random.nextInt(4) == 0 ? 0 : random.nextInt(17);
        for (int i = 0; i < entries; i++) {
            metadata.put(i + ":" + text(random, random.nextInt(61), !valid), text(random, random.nextInt(257), !valid));
        }
        long occurred = valid ? received.toEpochMilli() - random.nextLong(30L * 86_400_000L)
                : random.nextLong(-100_000_000_000L, 4_000_000_000_000L);
        long output = tokens(random);
        return new UsageEvent(tenant, keyId,
                valid ? "evt-" + random.nextInt(1_000_000) + ":" + random.nextInt(99) : text(random, 1 + random.nextInt(128), true),
                Instant.ofEpochMilli(occurred), received,
                valid ? List.of("openai", "anthropic", "google", "my_llm-2").get(random.nextInt(4)) : text(random, 5, true),
                valid ? "model " + printable(text(random, random.nextInt(100), false)) + "é☃"
                        : text(random, random.nextInt(128), true),
                tokens(random), tokens(random), tokens(random), output, random.nextBoolean() ? 0 : output / 3,
                random.nextBoolean() ? null : text(random, 1 + random.nextInt(255), !valid), metadata);
    }

    private static long tokens(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(64);
            case 2 -> random.nextInt(1_000_000);
            default -> random.nextLong(Long.MAX_VALUE);
        };
    }

    /** Text of {@code length} chars: ASCII, 2- and 3-byte UTF-8, surrogate pairs, and (when allowed) lone surrogates. */
    private static String text(SplittableRandom random, int length, boolean loneSurrogates) {
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
            } else if (loneSurrogates && kind == 9) {
                text.append((char) (0xD800 + random.nextInt(0x800)));
            } else {
                text.append('x');
            }
        }
        return text.toString();
    }

    /** The event as a gateway would send it (its metadata in the map's order, strings escaped as JSON). */
    private static String json(UsageEvent event, boolean shuffle) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("event_id", quote(event.getEventId()));
        fields.put("occurred_at", quote(event.getOccurredAt().toString()));
        fields.put("provider", quote(event.getProvider()));
        fields.put("model", quote(event.getModel()));
        fields.put("input_tokens", String.valueOf(event.getInputTokens()));
        fields.put("cached_input_tokens", String.valueOf(event.getCachedInputTokens()));
        fields.put("cache_write_tokens", String.valueOf(event.getCacheWriteTokens()));
        fields.put("output_tokens", String.valueOf(event.getOutputTokens()));
        fields.put("reasoning_tokens", String.valueOf(event.getReasoningTokens()));
        if (event.getEndUser() != null) {
            fields.put("end_user", quote(event.getEndUser()));
        }
        if (!event.getMetadata().isEmpty()) {
            fields.put("metadata", event.getMetadata().entrySet().stream()
                    .map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}")));
        }
        List<Map.Entry<String, String>> entries = new java.util.ArrayList<>(fields.entrySet());
        if (shuffle) {
            java.util.Collections.reverse(entries);
        }
        return entries.stream().map(e -> quote(e.getKey()) + ":" + e.getValue()).collect(Collectors.joining(",", "{", "}"));
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(cp -> {
            if (cp == '"' || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp < 0x20 || Character.isSupplementaryCodePoint(cp) && cp % 3 == 0) {
                for (char c : Character.toChars(cp)) { // some surrogate pairs escaped, some literal
                    out.append(String.format("\\u%04x", (int) c));
                }
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('"').toString();
    }

    /** Only the code points ingest accepts in a model name. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().filter(cp -> UsageRequestReader.isPrintable(new String(Character.toChars(cp)), 1))
                .forEach(out::appendCodePoint);
        return out.toString();
    }
}
