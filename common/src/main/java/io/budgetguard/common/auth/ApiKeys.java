package io.budgetguard.common.auth;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The tenant API key format, {@code bg_<key_id>.<secret>}: {@code key_id} is {@code k} plus 15 characters
 * {@code [a-z0-9]} (public, the record key in {@code control.apikeys.v1}); the secret is 32 random bytes in base64url
 * without padding (43 characters). Only a bcrypt hash of the secret is ever stored ({@link SecretHasher}).
 */
public final class ApiKeys {

    public static final String PREFIX = "bg_";
    public static final char SEPARATOR = '.';
    public static final int KEY_ID_LENGTH = 16;
    public static final int SECRET_BYTES = 32;
    /** base64url of 32 bytes without padding. */
    public static final int SECRET_LENGTH = 43;
    public static final int TOKEN_LENGTH = PREFIX.length() + KEY_ID_LENGTH + 1 + SECRET_LENGTH;

    private static final char[] KEY_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder SECRET_ENCODER = Base64.getUrlEncoder().withoutPadding();

    private ApiKeys() {}

    /** A new key with a random id and a random secret. */
    public static PresentedKey generate() {
        return new PresentedKey(newKeyId(), newSecret());
    }

    /** A new random key id: {@code k} + 15 characters {@code [a-z0-9]}, uniformly drawn. */
    public static String newKeyId() {
        char[] id = new char[KEY_ID_LENGTH];
        id[0] = 'k';
        for (int i = 1; i < id.length; i++) {
            id[i] = KEY_ID_ALPHABET[RANDOM.nextInt(KEY_ID_ALPHABET.length)];
        }
        return new String(id);
    }

    private static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return SECRET_ENCODER.encodeToString(bytes);
    }

    /**
     * Splits a presented key into id and secret, strictly: exact prefix, id and secret lengths and alphabets.
     *
     * @throws MalformedApiKeyException naming what is wrong, never echoing the input
     */
    public static PresentedKey parse(String token) {
        if (token == null || token.isEmpty()) {
            throw new MalformedApiKeyException("API key is missing");
        }
        if (token.length() != TOKEN_LENGTH) {
            throw new MalformedApiKeyException("API key has the wrong length: expected " + TOKEN_LENGTH
                    + " characters of the form bg_<key_id>.<secret>");
        }
        if (!token.startsWith(PREFIX)) {
            throw new MalformedApiKeyException("API key must start with '" + PREFIX + "'");
        }
        int idStart = PREFIX.length();
        int separator = idStart + KEY_ID_LENGTH;
        if (token.charAt(separator) != SEPARATOR) {
            throw new MalformedApiKeyException("API key must be bg_<key_id>.<secret> with a 16-character key id");
        }
        String keyId = token.substring(idStart, separator);
        if (!isKeyId(keyId)) {
            throw new MalformedApiKeyException("API key id must be 'k' followed by 15 characters [a-z0-9]");
        }
        for (int i = separator + 1; i < token.length(); i++) {
            if (!isBase64Url(token.charAt(i))) {
                throw new MalformedApiKeyException("API key secret must be base64url without padding");
            }
        }
        return new PresentedKey(keyId, token.substring(separator + 1));
    }

    /** True for a well-formed key id: {@code k} + 15 characters {@code [a-z0-9]}. */
    public static boolean isKeyId(String keyId) {
        if (keyId == null || keyId.length() != KEY_ID_LENGTH || keyId.charAt(0) != 'k') {
            return false;
        }
        for (int i = 1; i < KEY_ID_LENGTH; i++) {
            char c = keyId.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBase64Url(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }
}
