package io.budgetguard.common.keys;

import java.util.Objects;

/**
 * A data key for envelope encryption: the 32-byte AES key in plaintext (keep in memory only) and the same key wrapped
 * by a Vault Transit key, {@code vault:v<n>:<base64>}, which is what gets stored. {@link #toString()} never shows the
 * plaintext.
 */
public record DataKey(byte[] plaintext, String wrapped) {

    public DataKey {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(wrapped, "wrapped");
        if (plaintext.length != 32) {
            throw new IllegalArgumentException("a data key has 32 bytes, was " + plaintext.length);
        }
        plaintext = plaintext.clone();
        VersionedValue.parse(wrapped);
    }

    @Override
    public byte[] plaintext() {
        return plaintext.clone();
    }

    /** The version of the wrapping key that wrapped this data key. */
    public int wrappingKeyVersion() {
        return VersionedValue.parse(wrapped).version();
    }

    @Override
    public String toString() {
        return "DataKey[plaintext=(32 bytes, hidden), wrapped by v" + wrappingKeyVersion() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataKey other && java.util.Arrays.equals(other.plaintext, plaintext)
                && other.wrapped.equals(wrapped);
    }

    @Override
    public int hashCode() {
        return wrapped.hashCode();
    }
}
