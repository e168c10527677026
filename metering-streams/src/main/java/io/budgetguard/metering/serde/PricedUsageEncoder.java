package io.budgetguard.metering.serde;

import io.budgetguard.schemas.serde.AvroBuffer;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.serde.AvroSerde;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A hand-written Avro binary encoder of {@link PricedUsage} in the Confluent wire format (magic byte 0, the 4-byte
 * big-endian schema id, then the record), producing the same bytes as the generated class's
 * {@code SpecificDatumWriter} (a test compares them over thousands of varied records). It exists because the generic
 * writer was ~10 % of the metering stream thread per event: logical-type conversions (timestamps boxed, each decimal
 * turned into a {@code BigInteger} and its byte array), union resolution for {@code end_user}, a
 * {@code ByteArrayOutputStream} and a copy per record. Here each record is written in schema order into a reused
 * per-thread buffer and copied once into an exact-size array; costs of up to 18 digits (all real ones) are written from
 * their unscaled long. Same approach as ingest's {@code UsageEventEncoder} (docs/DECISIONS.md D19).
 *
 * <p>Field order and types follow {@code PricedUsage.avsc}; {@code PricedUsageEncoderTest} fails if the schema changes
 * without this class. Thread-safe (the buffer is per thread): a sink's serializer is shared by every stream thread.
 */
public final class PricedUsageEncoder implements Serializer<PricedUsage> {

    /** {@code decimal(20, 9)}: every cost field of the schema. */
    static final int COST_PRECISION = 20;
    static final int COST_SCALE = 9;
    private static final byte MAGIC = 0;
    private static final ThreadLocal<AvroBuffer> BUFFERS = ThreadLocal.withInitial(() -> new AvroBuffer(512));

    private final AvroSerde<PricedUsage> serde;

    /** A serializer taking the schema id (registered once per topic, cached) from {@code serde}. */
    public PricedUsageEncoder(AvroSerde<PricedUsage> serde) {
        this.serde = Objects.requireNonNull(serde, "serde");
    }

    @Override
    public byte[] serialize(String topic, PricedUsage usage) {
        if (usage == null) {
            return null;
        }
        return encode(serde.schemaId(topic), usage);
    }

    /**
     * The record's Confluent-framed Avro bytes under {@code schemaId}.
     *
     * @throws SerializationException when the record is not one of the schema (a null where none is allowed, a cost
     *     that needs rounding to 9 decimals or has more than 20 digits), as the generic writer refuses it
     */
    public static byte[] encode(int schemaId, PricedUsage usage) {
        AvroBuffer out = BUFFERS.get();
        out.reset();
        try {
            header(out, schemaId);
            out.writeString(usage.getTenantId());
            out.writeString(usage.getApiKeyId());
            out.writeString(usage.getEventId());
            out.writeLong(usage.getOccurredAt().toEpochMilli());
            out.writeLong(usage.getReceivedAt().toEpochMilli());
            out.writeLong(usage.getPricedAt().toEpochMilli());
            out.writeString(usage.getProvider());
            out.writeString(usage.getModel());
            out.writeLong(usage.getInputTokens());
            out.writeLong(usage.getCachedInputTokens());
            out.writeLong(usage.getCacheWriteTokens());
            out.writeLong(usage.getOutputTokens());
            out.writeLong(usage.getReasoningTokens());
            out.writeDecimal(usage.getInputCostUsd(), COST_PRECISION, COST_SCALE);
            out.writeDecimal(usage.getCachedInputCostUsd(), COST_PRECISION, COST_SCALE);
            out.writeDecimal(usage.getCacheWriteCostUsd(), COST_PRECISION, COST_SCALE);
            out.writeDecimal(usage.getOutputCostUsd(), COST_PRECISION, COST_SCALE);
            out.writeDecimal(usage.getCostUsd(), COST_PRECISION, COST_SCALE);
            out.writeString(usage.getPriceVersion());
            out.writeBoolean(usage.getUnpriced());
            String endUser = usage.getEndUser();
            if (endUser == null) {
                out.writeLong(0); // union branch 0: null
            } else {
                out.writeLong(1);
                out.writeString(endUser);
            }
            Map<String, String> metadata = usage.getMetadata();
            if (!metadata.isEmpty()) { // one block of all entries, then the empty block that ends the map
                out.writeLong(metadata.size());
                for (Map.Entry<String, String> entry : metadata.entrySet()) {
                    out.writeString(entry.getKey());
                    out.writeString(entry.getValue());
                }
            }
            out.writeLong(0);
        } catch (RuntimeException e) {
            throw new SerializationException("Cannot encode PricedUsage (schema id " + schemaId + ")", e);
        }
        return out.toByteArray();
    }

    private static void header(AvroBuffer out, int schemaId) {
        out.writeByte(MAGIC);
        out.writeByte(schemaId >>> 24);
        out.writeByte(schemaId >>> 16);
        out.writeByte(schemaId >>> 8);
        out.writeByte(schemaId);
    }
}
