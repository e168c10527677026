package io.budgetguard.common.keys;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * Verifies checkpoint signatures offline, with the JDK alone: no Vault, no key service. The public keys are the raw
 * 32-byte Ed25519 keys that {@code GET /v1/ledger/public-keys} serves and {@link KeyService#publicKeys(String)}
 * returns; signatures are Vault Transit's {@code vault:v<n>:<base64>} over the raw message (plain Ed25519, not
 * prehashed).
 */
public final class Ed25519Verifier {

    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112); the raw key follows. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private static final int RAW_KEY_LENGTH = 32;
    private static final int SIGNATURE_LENGTH = 64;

    private Ed25519Verifier() {}

    /**
     * Whether {@code signature} is valid for {@code message} under the key of the version the signature names.
     * False when that version is not in {@code publicKeys} or the signature is malformed.
     */
    public static boolean verify(Map<Integer, byte[]> publicKeys, byte[] message, String signature) {
        VersionedValue parsed;
        try {
            parsed = VersionedValue.parse(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] key = publicKeys.get(parsed.version());
        return key != null && verifyRaw(key, message, parsed.bytes());
    }

    /**
     * Whether {@code signature} ({@code vault:v<n>:<base64>}) is valid for {@code message} under {@code rawPublicKey};
     * the version in the signature is not checked here. False when the signature is malformed.
     *
     * @throws IllegalArgumentException when the public key is not 32 bytes
     */
    public static boolean verify(byte[] rawPublicKey, byte[] message, String signature) {
        byte[] sig;
        try {
            sig = VersionedValue.parse(signature).bytes();
        } catch (IllegalArgumentException e) {
            return false;
        }
        return verifyRaw(rawPublicKey, message, sig);
    }

    /** Whether the raw 64-byte {@code signature} is valid for {@code message} under {@code rawPublicKey}. */
    public static boolean verifyRaw(byte[] rawPublicKey, byte[] message, byte[] signature) {
        PublicKey key = publicKey(rawPublicKey);
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            java.security.Signature verifier = java.security.Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not a usable Ed25519 public key", e);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519 support", e);
        }
    }

    /** A JDK public key from a raw 32-byte Ed25519 key. */
    public static PublicKey publicKey(byte[] rawPublicKey) {
        if (rawPublicKey == null || rawPublicKey.length != RAW_KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, was "
                    + (rawPublicKey == null ? "null" : rawPublicKey.length));
        }
        byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + RAW_KEY_LENGTH);
        System.arraycopy(rawPublicKey, 0, encoded, X509_PREFIX.length, RAW_KEY_LENGTH);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a valid Ed25519 public key", e);
        }
    }

    /** The raw 32-byte form of a JDK Ed25519 public key (its X.509 encoding without the fixed prefix). */
    public static byte[] rawPublicKey(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded.length != X509_PREFIX.length + RAW_KEY_LENGTH
                || !Arrays.equals(encoded, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key in X.509 encoding");
        }
        return Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
    }
}
