package io.budgetguard.schemas.serde;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds a record of any generated type with every field set to a non-default value derived from its schema, so that
 * a round trip over all topics needs no hand-written fixture per type. Money fields get 9 fraction digits and
 * timestamps a millisecond part, the two things the wire format must keep exactly.
 */
final class SampleRecords {

    static final BigDecimal COST = new BigDecimal("12.345678901");
    static final Instant TIME = Instant.parse("2026-03-01T12:34:56.789Z");

    private SampleRecords() {}

    static <T extends SpecificRecord> T of(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        @SuppressWarnings("unchecked")
        T record = (T) SpecificData.newInstance(type, schema);
        fill(record, schema);
        return record;
    }

    private static void fill(SpecificRecord record, Schema schema) {
        for (Schema.Field field : schema.getFields()) {
            record.put(field.pos(), valueFor(field.schema(), field.name()));
        }
    }

    private static Object valueFor(Schema schema, String name) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal) {
            return COST;
        }
        if (logical instanceof LogicalTypes.TimestampMillis) {
            return TIME;
        }
        return switch (schema.getType()) {
            case STRING -> name + "-value";
            case LONG -> 1_234_567_890_123L;
            case INT -> 42;
            case BOOLEAN -> true;
            case BYTES -> ByteBuffer.wrap((name + "-bytes").getBytes(StandardCharsets.UTF_8));
            case UNION -> valueFor(schema.getTypes().stream()
                    .filter(branch -> branch.getType() != Schema.Type.NULL)
                    .findFirst()
                    .orElseThrow(), name);
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                items.add(valueFor(schema.getElementType(), name));
                items.add(valueFor(schema.getElementType(), name));
                yield items;
            }
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("k1", valueFor(schema.getValueType(), name));
                yield map;
            }
            case RECORD -> {
                SpecificRecord nested = (SpecificRecord) SpecificData.newInstance(
                        SpecificData.get().getClass(schema), schema);
                fill(nested, schema);
                yield nested;
            }
            default -> throw new IllegalArgumentException("No sample value for " + schema.getType() + " (" + name + ")");
        };
    }
}
