package io.budgetguard.common.keys;

import java.util.Objects;

/**
 * A signature in Vault Transit's form, {@code vault:v<keyVersion>:<base64 of the 64-byte Ed25519 signature>}.
 * {@code keyVersion} always equals the version written in {@code value}.
 */
public record Signature(String value, int keyVersion) {

    public Signature {
        Objects.requireNonNull(value, "value");
        VersionedValue parsed = VersionedValue.parse(value);
        if (parsed.version() != keyVersion) {
            throw new IllegalArgumentException(
                    "signature version v" + parsed.version() + " does not match key version " + keyVersion);
        }
    }

    /** Parses {@code vault:v<n>:<base64>}. */
    public static Signature of(String value) {
        return new Signature(value, VersionedValue.parse(value).version());
    }

    /** The raw signature bytes (64 for Ed25519). */
    public byte[] bytes() {
        return VersionedValue.parse(value).bytes();
    }
}
