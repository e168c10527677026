package io.budgetguard.metering.budget;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + unscaled.length + 5 * Long.BYTES);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(unscaled.length);
            out.write(unscaled);
            out.writeLong(totals.eventCount());
            out.writeLong(totals.inputTokens());
            out.writeLong(totals.cachedInputTokens());
            out.writeLong(totals.cacheWriteTokens());
            out.writeLong(totals.outputTokens());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public SpendTotals deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("Unknown spend totals format version " + version);
            }
            byte[] unscaled = new byte[in.readUnsignedByte()];
            in.readFully(unscaled);
            return new SpendTotals(new BigDecimal(new BigInteger(unscaled), SpendTotals.SCALE),
                    in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        } catch (IOException e) {
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
