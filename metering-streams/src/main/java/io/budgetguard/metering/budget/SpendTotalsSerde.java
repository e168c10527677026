package io.budgetguard.metering.budget;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary form of {@link SpendTotals} in the state store and its changelog: a format version byte, the spend's
 * unscaled value (scale 9) as length-prefixed two's-complement bytes, then five longs. Internal to metering-streams,
 * so a compact hand-written format is enough; the version byte leaves room to change it.
 */
public final class SpendTotalsSerde implements Serde<SpendTotals>, Serializer<SpendTotals>, Deserializer<SpendTotals> {

    private static final byte VERSION = 1;

    @Override
    public byte[] serialize(String topic, SpendTotals totals) {
        if (totals == null) {
            return null;
        }
        byte[] unscaled = totals.spendUsd().unscaledValue().toByteArray();
        ByteBuffer out = ByteBuffer.allocate(2 + unscaled.length + 5 * Long.BYTES);
        out.put(VERSION).put((byte) unscaled.length).put(unscaled)
                .putLong(totals.eventCount())
                .putLong(totals.inputTokens())
                .putLong(totals.cachedInputTokens())
                .putLong(totals.cacheWriteTokens())
                .putLong(totals.outputTokens());
        return out.array();
    }

    @Override
    public SpendTotals deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(data);
            byte version = in.get();
            if (version != VERSION) {
                throw new SerializationException("Unknown spend totals format version " + version);
            }
            byte[] unscaled = new byte[Byte.toUnsignedInt(in.get())];
            in.get(unscaled);
            return new SpendTotals(new BigDecimal(new BigInteger(unscaled), SpendTotals.SCALE),
                    in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
        } catch (BufferUnderflowException e) {
            throw new SerializationException("Truncated spend totals (" + data.length + " bytes)", e);
        }
    }

    @Override
    public Serializer<SpendTotals> serializer() {
        return this;
    }

    @Override
    public Deserializer<SpendTotals> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

    @Override
    public void close() {}
}
