package io.budgetguard.ledger.chain;

import java.util.Arrays;
import java.util.HexFormat;

/** A 32-byte SHA-256 value of the chain ({@code prev_hash}, {@code entry_hash}, a checkpoint's head). Immutable. */
public final class ChainHash {

    public static final int LENGTH = 32;

    /** {@code prev_hash} of seq 1: 32 zero bytes. */
    public static final ChainHash GENESIS = new ChainHash(new byte[LENGTH]);

    private final byte[] bytes;

    private ChainHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies {@code bytes}, which must be 32 bytes long. */
    public static ChainHash of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("A chain hash has " + LENGTH + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new ChainHash(bytes.clone());
    }

    /** Takes ownership of a fresh 32-byte array (a digest's output) without copying it. */
    static ChainHash wrap(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("A chain hash has " + LENGTH + " bytes, got " + bytes.length);
        }
        return new ChainHash(bytes);
    }

    public static ChainHash fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    /** A copy of the 32 bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Lowercase hex, 64 characters. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** Package-private view without a copy, for hashing. */
    byte[] unsafeBytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChainHash that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
