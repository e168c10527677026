package io.budgetguard.common.keys;

import java.util.Map;
import java.util.Optional;

/**
 * Every use of key material goes through this interface: checkpoint signatures, keyed hashes, envelope encryption of
 * personal data and secret reads. Two implementations: {@code vault.VaultKeyService} (production; keys never leave
 * Vault) and {@code local.LocalKeyService} (dev only; keys in a local file). Choose one with
 * {@link KeyServices#fromEnv(Map)}.
 *
 * <p>Values cross this interface in Vault Transit's own formats ({@code vault:v<version>:<base64>}), so that data
 * written in dev and in production look alike and signatures can be checked offline with {@link Ed25519Verifier}.
 *
 * <p>Every failure is a {@link KeyServiceException}; its message never contains key material, tokens or secrets.
 */
public interface KeyService extends AutoCloseable {

    /**
     * Signs {@code message} as raw bytes with plain Ed25519 (not prehashed) using the newest version of the key.
     *
     * @throws KeyNotFoundException when the signing key does not exist (production keys are created by
     *     {@code infra/vault/setup.sh}, never on first use)
     */
    Signature sign(String keyName, byte[] message);

    /**
     * Whether {@code signature} ({@code vault:v<n>:<base64>}) is a valid signature of {@code message} by version
     * {@code n} of the key. A malformed signature or one of an unknown version is simply not valid.
     *
     * @throws KeyNotFoundException when the key does not exist
     */
    boolean verify(String keyName, byte[] message, String signature);

    /**
     * The raw 32-byte Ed25519 public keys of every version of a signing key, by version, oldest first; what
     * {@code GET /v1/ledger/public-keys} publishes.
     *
     * @throws KeyNotFoundException when the key does not exist
     */
    Map<Integer, byte[]> publicKeys(String keyName);

    /**
     * HMAC-SHA256 of {@code data} under the newest version of the key: deterministic for a given key version, and
     * different for different keys. Rotating the key changes the result, so store what you compare against together
     * with nothing that must survive a rotation.
     *
     * @throws KeyNotFoundException when the key does not exist (Vault); the local service creates it
     */
    byte[] hmac(String keyName, byte[] data);

    /**
     * A fresh random 256-bit AES key, and the same key wrapped (encrypted) by the named key, as Vault's
     * {@code transit/datakey/plaintext} returns it. Store only {@link DataKey#wrapped()}; keep the plaintext in memory.
     * Per-tenant keys ({@link KeyNames#tenantDataKey(String)}) are created on first use.
     */
    DataKey newDataKey(String keyName);

    /**
     * The plaintext of a data key wrapped by {@link #newDataKey(String)}.
     *
     * @throws KeyNotFoundException when the wrapping key was deleted ({@link #deleteKey(String)}: the GDPR erasure)
     *     or never existed
     * @throws InvalidCiphertextException when {@code wrapped} is malformed, tampered with, or wrapped by another key
     */
    byte[] unwrapDataKey(String keyName, String wrapped);

    /**
     * Destroys every version of a key for ever; anything it wrapped can no longer be unwrapped. Used to erase a
     * tenant's personal data (the ledger keeps the ciphertext, so its hash chain stays verifiable). Deleting a key that
     * does not exist does nothing.
     */
    void deleteKey(String keyName);

    /**
     * The newest version of a key/value secret (Vault KV v2) at {@code path} below the KV mount, e.g.
     * {@code budgetguard/admin}; empty when there is none. Non-string values come back as JSON text.
     */
    Optional<Map<String, String>> readSecret(String path);

    /** Stops background work (token renewal) and forgets credentials. Never throws. */
    @Override
    void close();
}
