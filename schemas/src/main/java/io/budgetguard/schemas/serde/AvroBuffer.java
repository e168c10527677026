package io.budgetguard.schemas.serde;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * A growable byte buffer with the Avro binary primitives of the hand-written encoders (ingest's {@code UsageEventEncoder},
 * D19; metering's {@code PricedUsageEncoder}, D27): zig-zag varint longs, length-prefixed UTF-8 strings, booleans and
 * {@code decimal}s as two's-complement bytes. Reused across records (one per thread or request) so that encoding
 * allocates nothing but the final record. Strings are encoded exactly as {@code String.getBytes(UTF_8)} does (which is what Avro's
 * {@code BinaryEncoder.writeString} uses), including its replacement of an unpaired surrogate by {@code '?'}, so
 * that the bytes equal the generic writer's. Not thread-safe.
 */
public final class AvroBuffer {

    private byte[] bytes;
    private int size;

    public AvroBuffer(int capacity) {
        bytes = new byte[capacity];
    }

    public int size() {
        return size;
    }

    public void reset() {
        size = 0;
    }

    /** The content, copied into an array of its exact length. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    public void writeByte(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    public void writeRaw(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** The backing array (valid until the next write). */
    public byte[] array() {
        return bytes;
    }

    /** Avro {@code boolean}: one byte, 0 or 1. */
    public void writeBoolean(boolean value) {
        writeByte(value ? 1 : 0);
    }

    /** Avro {@code long} (and {@code int}): zig-zag, then 7 bits per byte, least significant first. */
    public void writeLong(long value) {
        ensure(10);
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        bytes[size++] = (byte) n;
    }

    /** Avro {@code string}: its UTF-8 length, then the UTF-8 bytes. */
    public void writeString(String value) {
        int n = value.length();
        if (isAscii(value, n)) {
            writeLong(n);
            ensure(n);
            value.getBytes(0, n, bytes, size); // deprecated but exact for ASCII, and copies without allocating
            size += n;
        } else {
            char[] chars = value.toCharArray();
            writeString(chars, 0, chars.length);
        }
    }

    /** Avro {@code string} of {@code chars[offset, offset + length)}. */
    public void writeString(char[] chars, int offset, int length) {
        int lengthAt = size;
        writeLong(0); // placeholder, usually the right size already (one byte up to 63 bytes of UTF-8)
        int start = size;
        int utf8 = writeUtf8(chars, offset, length);
        int needed = varintSize(utf8);
        int have = start - lengthAt;
        if (needed != have) {
            ensure(needed - have);
            System.arraycopy(bytes, start, bytes, lengthAt + needed, utf8);
            size += needed - have;
        }
        size = lengthAt;
        writeLong(utf8);
        size += utf8;
    }

    /** Appends the UTF-8 encoding of {@code chars[offset, offset + length)} (no length); returns its byte count. */
    public int writeUtf8(char[] chars, int offset, int length) {
        ensure(length * 3); // at most 3 bytes per char (a surrogate pair: 4 bytes for 2 chars)
        int start = size;
        int end = offset + length;
        int i = offset;
        byte[] out = bytes;
        int o = size;
        while (i < end) {
            char c = chars[i++];
            if (c < 0x80) {
                out[o++] = (byte) c;
            } else if (c < 0x800) {
                out[o++] = (byte) (0xC0 | (c >> 6));
                out[o++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i < end && Character.isLowSurrogate(chars[i])) {
                    int cp = Character.toCodePoint(c, chars[i++]);
                    out[o++] = (byte) (0xF0 | (cp >> 18));
                    out[o++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    out[o++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    out[o++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    out[o++] = '?'; // what String.getBytes(UTF_8) writes for an unpaired surrogate
                }
            } else {
                out[o++] = (byte) (0xE0 | (c >> 12));
                out[o++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[o++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        size = o;
        return o - start;
    }

    public static int varintSize(long value) {
        long n = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((n & ~0x7FL) != 0) {
            n >>>= 7;
            bytes++;
        }
        return bytes;
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

    /**
     * Avro {@code bytes} with the {@code decimal(precision, scale)} logical type, exactly as Avro's
     * {@code Conversions.DecimalConversion} writes it: the value brought to {@code scale} without rounding (else
     * refused), its precision checked, then the unscaled value's minimal big-endian two's-complement bytes
     * ({@code BigInteger.toByteArray}). Values whose unscaled value fits a long, i.e. every cost metering computes, are
     * written from the long without a {@code BigInteger}.
     *
     * @throws ArithmeticException when the value needs rounding to {@code scale} or exceeds {@code precision}
     */
    public void writeDecimal(BigDecimal value, int precision, int scale) {
        BigDecimal scaled = value.scale() == scale ? value : value.setScale(scale, RoundingMode.UNNECESSARY);
        if (scaled.precision() > precision) {
            throw new ArithmeticException("A decimal of " + scaled.precision() + " digits exceeds precision " + precision);
        }
        if (scaled.precision() <= 18) { // up to 18 digits always fits a long
            // the same value at scale 0: its long is the unscaled value, read without unscaledValue()'s BigInteger
            writeUnscaled(scaled.scaleByPowerOfTen(scale).longValueExact());
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
    public void writeUnscaled(long unscaled) {
        int bitLength = 64 - Long.numberOfLeadingZeros(unscaled < 0 ? ~unscaled : unscaled);
        int length = bitLength / 8 + 1;
        ensure(1 + length);
        bytes[size++] = (byte) (length << 1); // the length as an Avro long: zig-zag of 1..8 fits one byte
        for (int shift = (length - 1) * 8; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (unscaled >> shift);
        }
    }
}
