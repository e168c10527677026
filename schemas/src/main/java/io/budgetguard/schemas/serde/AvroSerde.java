package io.budgetguard.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro specific records in the Confluent wire format: magic byte 0, the 4-byte big-endian schema id, then Avro binary.
 * Values only, subject {@code <topic>-value} (TopicNameStrategy). The writer schema is registered once per topic and
 * its id cached; readers resolve the writer schema by id (cached) against the generated class's schema, so records
 * written with an older compatible schema still decode.
 *
 * <p>{@link #deserialize} of any bytes returns a record of the schema (decimals within its precision) or throws
 * {@link SerializationException} (not the wire format, not Avro of the writer schema, a decimal out of range) or
 * {@link SchemaRegistryException} (the registry does not know the id: status 404; or cannot be reached). Nothing else:
 * {@code AvroSerdeFuzzTest} fuzzes it.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private static final byte MAGIC = 0;
    private static final String GENERATED_PACKAGE = "io.budgetguard.schemas";

    static {
        // Avro 1.12 refuses to load a class by name unless it is trusted, and a specific reader or writer loads the
        // generated classes (nested records included) by name: trust our generated packages, and nothing else.
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, AvroSerde::isGeneratedRecordClass));
    }

    private final Class<T> type;
    private final Schema readerSchema;
    private final SpecificData model;
    private final SchemaRegistry registry;
    private final SpecificDatumWriter<T> writer;
    private final boolean readerHasDecimals;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, SpecificDatumReader<T>> readersById = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    private AvroSerde(Class<T> type, SchemaRegistry registry) {
        this.type = type;
        this.registry = registry;
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(readerSchema, model);
        this.readerHasDecimals = hasDecimals(readerSchema, new HashSet<>());
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, SchemaRegistry registry) {
        return new AvroSerde<>(type, registry);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        int id = schemaId(topic);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, encoders.get());
            encoders.set(encoder);
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode " + type.getSimpleName() + " for topic " + topic, e);
        }
        return out.toByteArray();
    }

    /**
     * The id of this type's schema under {@code <topic>-value}, registered on first use and cached: what a
     * hand-written encoder of the same schema puts in the Confluent header.
     */
    public int schemaId(String topic) {
        return idsByTopic.computeIfAbsent(topic, t -> registry.register(t + "-value", readerSchema));
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (bytes.length < 5 || buffer.get() != MAGIC) {
            throw new SerializationException("Not in the Confluent wire format (topic " + topic + ")");
        }
        int id = buffer.getInt();
        SpecificDatumReader<T> reader = readersById.computeIfAbsent(
                id, i -> new SpecificDatumReader<>(registry.schemaById(i), readerSchema, model));
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, decoders.get());
            decoders.set(decoder);
            T record = reader.read(null, decoder);
            if (readerHasDecimals) {
                requireDecimalsInRange(readerSchema, record);
            }
            return record;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Cannot decode " + type.getSimpleName() + " with schema id " + id + " (topic " + topic + ")", e);
        }
    }

    /**
     * Avro reads a decimal's unscaled bytes whatever their length, so a record can decode with, say, 137 digits where
     * the schema (and the ledger's {@code numeric(20,9)}) allows 20: such a record could not be written again, nor
     * stored. It is refused here, as not a record of this schema (a fuzzing finding, docs/SECURITY.md).
     */
    private static void requireDecimalsInRange(Schema schema, Object value) {
        if (value == null) {
            return;
        }
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal decimal) {
            if (((BigDecimal) value).precision() > decimal.getPrecision()) {
                throw new AvroTypeException("A decimal of " + ((BigDecimal) value).precision()
                        + " digits exceeds the schema's precision " + decimal.getPrecision());
            }
            return;
        }
        switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord record = (IndexedRecord) value;
                for (Schema.Field field : schema.getFields()) {
                    requireDecimalsInRange(field.schema(), record.get(field.pos()));
                }
            }
            case UNION -> {
                for (Schema branch : schema.getTypes()) {
                    boolean matches = value instanceof BigDecimal ? branch.getLogicalType() instanceof LogicalTypes.Decimal
                            : value instanceof IndexedRecord record ? branch.equals(record.getSchema())
                            : value instanceof Collection<?> ? branch.getType() == Schema.Type.ARRAY
                            : value instanceof Map<?, ?> && branch.getType() == Schema.Type.MAP;
                    if (matches) {
                        requireDecimalsInRange(branch, value);
                        return;
                    }
                }
            }
            case ARRAY -> {
                for (Object item : (Collection<?>) value) {
                    requireDecimalsInRange(schema.getElementType(), item);
                }
            }
            case MAP -> {
                for (Object item : ((Map<?, ?>) value).values()) {
                    requireDecimalsInRange(schema.getValueType(), item);
                }
            }
            default -> { }
        }
    }

    private static boolean hasDecimals(Schema schema, Set<Schema> seen) {
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal) {
            return true;
        }
        if (!seen.add(schema)) {
            return false;
        }
        return switch (schema.getType()) {
            case RECORD -> schema.getFields().stream().anyMatch(field -> hasDecimals(field.schema(), seen));
            case UNION -> schema.getTypes().stream().anyMatch(branch -> hasDecimals(branch, seen));
            case ARRAY -> hasDecimals(schema.getElementType(), seen);
            case MAP -> hasDecimals(schema.getValueType(), seen);
            default -> false;
        };
    }

    private static boolean isGeneratedRecordClass(Class<?> type) {
        String pkg = type.getPackageName();
        return pkg.equals(GENERATED_PACKAGE) || pkg.startsWith(GENERATED_PACKAGE + ".");
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {}

    @Override
    public void close() {}
}
