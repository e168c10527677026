package io.budgetguard.metering.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The hand-written encoder must write exactly the bytes of the generated class's {@code SpecificDatumWriter} (through
 * {@link AvroSerde}, Confluent framing and schema id included), and refuse what the generic writer refuses.
 */
class PricedUsageEncoderTest {

    private static final String TOPIC = Topics.USAGE_PRICED.name();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<PricedUsage> serde = Topics.USAGE_PRICED.valueSerde(registry);
    private final PricedUsageEncoder encoder = new PricedUsageEncoder(serde);

    @Test
    void theSchemaIsTheOneTheEncoderWasWrittenFor() {
        // the encoder writes these fields in this order: a schema change must change it too
        assertThat(PricedUsage.getClassSchema().getFields().stream()
                .map(f -> f.name() + ":" + describe(f.schema())).collect(Collectors.toList()))
                .containsExactly("tenant_id:string", "api_key_id:string", "event_id:string",
                        "occurred_at:long/timestamp-millis", "received_at:long/timestamp-millis",
                        "priced_at:long/timestamp-millis", "provider:string", "model:string", "input_tokens:long",
                        "cached_input_tokens:long", "cache_write_tokens:long", "output_tokens:long",
                        "reasoning_tokens:long", "input_cost_usd:bytes/decimal(20,9)",
                        "cached_input_cost_usd:bytes/decimal(20,9)", "cache_write_cost_usd:bytes/decimal(20,9)",
                        "output_cost_usd:bytes/decimal(20,9)", "cost_usd:bytes/decimal(20,9)", "price_version:string",
                        "unpriced:boolean", "end_user:[null,string]", "metadata:map<string>");
    }

    @Test
    void randomRecordsEncodeToTheGenericWritersBytes() {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 5_000; i++) {
            PricedUsage usage = randomUsage(random);
            byte[] expected = serde.serialize(TOPIC, usage);
            assertThat(encoder.serialize(TOPIC, usage)).as("record %d: %s", i, usage).isEqualTo(expected);
        }
    }

    @Test
    void theFramingCarriesTheRegisteredSchemaIdOfTheTopic() {
        // another subject registered first, so that the id is not the first one a registry hands out
        Topics.USAGE_EVENTS.valueSerde(registry).schemaId(Topics.USAGE_EVENTS.name());
        BigDecimal cost = new BigDecimal("0.001250000");
        PricedUsage usage = new PricedUsage("acme", "k1", "evt-1", Instant.parse("2026-03-01T10:00:00Z"),
                Instant.parse("2026-03-01T10:00:00.003Z"), Instant.parse("2026-03-01T10:00:01Z"), "openai", "gpt-4o",
                500L, 0L, 0L, 0L, 0L, cost, BigDecimal.ZERO.setScale(9), BigDecimal.ZERO.setScale(9),
                BigDecimal.ZERO.setScale(9), cost, "2026-03-01", false, "ü@example.com", Map.of("team", "søk"));
        byte[] bytes = encoder.serialize(TOPIC, usage);
        int id = serde.schemaId(TOPIC);
        assertThat(id).isNotEqualTo(Topics.USAGE_EVENTS.valueSerde(registry).schemaId(Topics.USAGE_EVENTS.name()));
        assertThat(bytes[0]).isZero();
        assertThat(((bytes[1] & 0xFF) << 24) | ((bytes[2] & 0xFF) << 16) | ((bytes[3] & 0xFF) << 8) | (bytes[4] & 0xFF))
                .isEqualTo(id);
        assertThat(serde.deserialize(TOPIC, bytes)).isEqualTo(usage);
        assertThat(encoder.serialize(TOPIC, null)).isNull();
    }

    @Test
    void decimalEdgeCasesEncodeAsTheGenericWriterDoes() {
        List<String> costs = List.of("0", "0.000000000", "0E-12", "1", "-1", "0.000000001", "-0.000000001", "0.5",
                "-0.5", "1E+3", "127E-9", "128E-9", "-128E-9", "-129E-9", "255E-9", "256E-9", "32767E-9", "32768E-9",
                "-32768E-9", "-32769E-9", "8388607E-9", "8388608E-9", "2147483647E-9", "2147483648E-9",
                "-2147483648E-9", "-2147483649E-9", "999999999.999999999", "-999999999.999999999",
                "9223372036.854775807", "9223372036.854775808", "-9223372036.854775808", "-9223372036.854775809",
                "99999999999.999999999", "-99999999999.999999999", "12345678901.234567890",
                "1.10", "2.500000000000", "-3.1000000000000000000");
        PricedUsage template = randomUsage(new SplittableRandom(5));
        for (String cost : costs) {
            BigDecimal value = new BigDecimal(cost);
            PricedUsage usage = PricedUsage.newBuilder(template).setInputCostUsd(value).setCachedInputCostUsd(value)
                    .setCacheWriteCostUsd(value).setOutputCostUsd(value).setCostUsd(value).build();
            assertThat(encoder.serialize(TOPIC, usage)).as(cost).isEqualTo(serde.serialize(TOPIC, usage));
        }
    }

    @Test
    void whatTheGenericWriterRefusesIsRefused() {
        PricedUsage template = randomUsage(new SplittableRandom(9));
        List<PricedUsage> invalid = List.of(
                // needs rounding to 9 decimals
                PricedUsage.newBuilder(template).setOutputCostUsd(new BigDecimal("0.0000000001")).build(),
                // 21 digits
                PricedUsage.newBuilder(template).setCostUsd(new BigDecimal("100000000000.000000000")).build(),
                PricedUsage.newBuilder(template).setInputCostUsd(new BigDecimal("-123456789012.5")).build());
        for (PricedUsage usage : invalid) {
            assertThatThrownBy(() -> serde.serialize(TOPIC, usage)).isInstanceOf(SerializationException.class);
            assertThatThrownBy(() -> encoder.serialize(TOPIC, usage)).as("%s", usage)
                    .isInstanceOf(SerializationException.class);
        }
        PricedUsage noTenant = PricedUsage.newBuilder(template).build();
        noTenant.setTenantId(null);
        assertThatThrownBy(() -> serde.serialize(TOPIC, noTenant)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> encoder.serialize(TOPIC, noTenant)).isInstanceOf(SerializationException.class);
        // a refused record leaves nothing behind: the next one encodes as it should
        assertThat(encoder.serialize(TOPIC, template)).isEqualTo(serde.serialize(TOPIC, template));
    }

    private static String describe(Schema schema) {
        return switch (schema.getType()) {
            case UNION -> schema.getTypes().stream().map(s -> s.getType().getName())
                    .collect(Collectors.joining(",", "[", "]"));
            case MAP -> "map<" + schema.getValueType().getType().getName() + ">";
            default -> schema.getType().getName() + (schema.getLogicalType() == null ? ""
                    : "/" + schema.getLogicalType().getName() + (schema.getLogicalType() instanceof LogicalTypes.Decimal d
                            ? "(" + d.getPrecision() + "," + d.getScale() + ")" : ""));
        };
    }

    /** A varied record: any text, extreme longs and times, decimals of every size the schema allows, any scale ≤ 9. */
    private static PricedUsage randomUsage(SplittableRandom random) {
        Map<String, String> metadata = new LinkedHashMap<>();
        int entries = random.nextInt(3) == 0 ? 0 : random.nextInt(17);
        for (int i = 0; i < entries; i++) {
            metadata.put(i + ":" + text(random, random.nextInt(61)), text(random, random.nextInt(257)));
        }
        boolean unpriced = random.nextInt(5) == 0;
        return PricedUsage.newBuilder()
                .setTenantId(text(random, 1 + random.nextInt(70)))
                .setApiKeyId(text(random, 1 + random.nextInt(20)))
                .setEventId(text(random, 1 + random.nextInt(128)))
                .setOccurredAt(instant(random))
                .setReceivedAt(instant(random))
                .setPricedAt(instant(random))
                .setProvider(text(random, random.nextInt(33)))
                .setModel(text(random, random.nextInt(128)))
                .setInputTokens(longValue(random))
                .setCachedInputTokens(longValue(random))
                .setCacheWriteTokens(longValue(random))
                .setOutputTokens(longValue(random))
                .setReasoningTokens(longValue(random))
                .setInputCostUsd(cost(random))
                .setCachedInputCostUsd(cost(random))
                .setCacheWriteCostUsd(cost(random))
                .setOutputCostUsd(cost(random))
                .setCostUsd(cost(random))
                .setPriceVersion(unpriced ? "" : text(random, random.nextInt(40)))
                .setUnpriced(unpriced)
                .setEndUser(random.nextBoolean() ? null : text(random, random.nextInt(256)))
                .setMetadata(metadata)
                .build();
    }

    private static Instant instant(SplittableRandom random) {
        return switch (random.nextInt(5)) {
            case 0 -> Instant.ofEpochMilli(0);
            case 1 -> Instant.ofEpochMilli(-random.nextLong(100_000_000_000_000L));
            default -> Instant.ofEpochMilli(random.nextLong(4_000_000_000_000L));
        };
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

    /** A decimal of 1–20 digits, either sign, at a scale from 0 to 9 (the writer brings it to 9) or 9 itself. */
    private static BigDecimal cost(SplittableRandom random) {
        int digits = 1 + random.nextInt(20);
        int scale = random.nextInt(3) == 0 ? random.nextInt(10) : 9;
        // at scale s a value of d digits has d + 9 - s digits at scale 9: keep it within the precision of 20
        digits = Math.min(digits, 20 - (9 - scale));
        StringBuilder unscaled = new StringBuilder();
        for (int i = 0; i < digits; i++) {
            unscaled.append((char) ('0' + (i == 0 && digits > 1 ? 1 + random.nextInt(9) : random.nextInt(10))));
        }
        BigInteger value = new BigInteger(unscaled.toString());
        return new BigDecimal(random.nextBoolean() ? value.negate() : value, scale);
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
