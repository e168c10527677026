package io.budgetguard.common.keys;

import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vault Transit's envelope for signatures, ciphertexts and HMACs: {@code vault:v<version>:<standard base64>}.
 * Parsing errors name the problem but never echo the value, which may be a wrapped key.
 */
public record VersionedValue(int version, byte[] bytes) {

    private static final Pattern FORMAT = Pattern.compile("vault:v([1-9][0-9]{0,8}):([A-Za-z0-9+/]*={0,2})");

    public VersionedValue {
        if (version < 1) {
            throw new IllegalArgumentException("key version must be at least 1, was " + version);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * @throws IllegalArgumentException when {@code value} is not of the form {@code vault:v<n>:<base64>}
     */
    public static VersionedValue parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("expected vault:v<n>:<base64>, was null");
        }
        Matcher m = FORMAT.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected vault:v<n>:<base64> (" + value.length() + " characters given)");
        }
        try {
            return new VersionedValue(Integer.parseInt(m.group(1)), Base64.getDecoder().decode(m.group(2)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected vault:v<n>:<base64>, the base64 part is invalid");
        }
    }

    public String format() {
        return "vault:v" + version + ":" + Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "VersionedValue[v" + version + ", " + bytes.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionedValue other && other.version == version && java.util.Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * version + java.util.Arrays.hashCode(bytes);
    }
}
