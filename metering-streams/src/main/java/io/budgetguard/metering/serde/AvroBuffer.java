package io.budgetguard.metering.serde;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * A growable byte buffer with the Avro binary primitives the hand-written encoders need: zig-zag varint longs,
 * length-prefixed UTF-8 strings and {@code decimal}s as two's-complement bytes. Reused (one per thread) so that
 * encoding allocates nothing but the final record. Strings are encoded exactly as {@code String.getBytes(UTF_8)} does
 * (what Avro's {@code BinaryEncoder.writeString} uses), an unpaired surrogate included ({@code '?'}), so that the bytes
 * equal the generic writer's. The same primitives as ingest's buffer (docs/DECISIONS.md D19), plus decimals. Not
 * thread-safe.
 */
final class AvroBuffer {

    private byte[] bytes;
    private int size;

    AvroBuffer(int capacity) {
        bytes = new byte[capacity];
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    /** The content, copied into an array of its exact length. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    void writeByte(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void writeRaw(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** Avro {@code boolean}: one byte, 0 or 1. */
    void writeBoolean(boolean value) {
        writeByte(value ? 1 : 0);
    }

    /** Avro {@code long} (and {@code int}): zig-zag, then 7 bits per byte, least significant first. */
    void writeLong(long value) {
        ensure(10);
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        bytes[size++] = (byte) n;
    }

    /** Avro {@code string}: its UTF-8 length, then the UTF-8 bytes. */
    void writeString(String value) {
        int n = value.length();
        if (isAscii(value, n)) {
            writeLong(n);
            ensure(n);
            value.getBytes(0, n, bytes, size); // deprecated but exact for ASCII, and copies without allocating
            size += n;
        } else {
            byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            writeLong(utf8.length);
            writeRaw(utf8, 0, utf8.length);
        }
    }

    /**
     * Avro {@code bytes} with the {@code decimal(precision, scale)} logical type, exactly as Avro's
     * {@code Conversions.DecimalConversion} writes it: the value brought to {@code scale} without rounding (else
     * refused), its precision checked, then the unscaled value's minimal big-endian two's-complement bytes
     * ({@code BigInteger.toByteArray}). Values whose unscaled value fits a long, i.e. every cost metering computes, are
     * written from the long without a {@code BigInteger}.
     *
     * @throws ArithmeticException when the value needs rounding to {@code scale} or exceeds {@code precision}
     */
    void writeDecimal(BigDecimal value, int precision, int scale) {
        BigDecimal scaled = value.scale() == scale ? value : value.setScale(scale, RoundingMode.UNNECESSARY);
        if (scaled.precision() > precision) {
            throw new ArithmeticException("A decimal of " + scaled.precision() + " digits exceeds precision " + precision);
        }
        if (scaled.precision() <= 18) { // up to 18 digits always fits a long
            writeUnscaled(scaled.unscaledValue().longValue());
        } else {
            byte[] twosComplement = scaled.unscaledValue().toByteArray();
            writeLong(twosComplement.length);
            writeRaw(twosComplement, 0, twosComplement.length);
        }
    }

    /**
     * Avro {@code bytes} holding {@code unscaled} as {@code BigInteger.valueOf(unscaled).toByteArray()} would: the
     * fewest big-endian bytes whose two's complement is the value (one byte for 0).
     */
    void writeUnscaled(long unscaled) {
        int bitLength = 64 - Long.numberOfLeadingZeros(unscaled < 0 ? ~unscaled : unscaled);
        int length = bitLength / 8 + 1;
        ensure(1 + length);
        bytes[size++] = (byte) (length << 1); // the length as an Avro long: zig-zag of 1..8 fits one byte
        for (int shift = (length - 1) * 8; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (unscaled >> shift);
        }
    }

    private static boolean isAscii(String value, int n) {
        for (int i = 0; i < n; i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
