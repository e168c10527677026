package io.budgetguard.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Checks the platform operator's {@code X-Admin-Key}. Services hold only the SHA-256 of the admin key
 * ({@code BUDGETGUARD_ADMIN_KEY_SHA256}); the admin key is 32 random bytes, so a fast hash loses nothing to brute
 * force. Comparison is constant-time.
 */
public final class AdminKeyVerifier {

    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] expectedSha256;

    /** @param sha256Hex the admin key's SHA-256, 64 hex digits (either case) */
    public AdminKeyVerifier(String sha256Hex) {
        if (!isSha256Hex(sha256Hex)) {
            throw new IllegalArgumentException("Admin key hash must be 64 hex digits (a SHA-256)");
        }
        this.expectedSha256 = HEX.parseHex(sha256Hex.toLowerCase(Locale.ROOT));
    }

    /** True when {@code presentedKey} hashes to the configured SHA-256; false for null or empty. */
    public boolean verify(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(expectedSha256, sha256(presentedKey));
    }

    /** True for 64 hex digits. */
    public static boolean isSha256Hex(String value) {
        if (value == null || value.length() != 64) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.digit(value.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Lower-case hex SHA-256 of the key's UTF-8 bytes: the value to put in {@code BUDGETGUARD_ADMIN_KEY_SHA256}. */
    public static String sha256Hex(String adminKey) {
        return HEX.formatHex(sha256(adminKey));
    }

    /** A new admin key: 32 random bytes as 64 lower-case hex digits. */
    public static String newAdminKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
