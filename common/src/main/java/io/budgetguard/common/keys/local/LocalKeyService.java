package io.budgetguard.common.keys.local;

import io.budgetguard.common.keys.DataKey;
import io.budgetguard.common.keys.Ed25519Verifier;
import io.budgetguard.common.keys.InvalidCiphertextException;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyNotFoundException;
import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.common.keys.KeyServiceRequestException;
import io.budgetguard.common.keys.LocalKeyServiceRefusedException;
import io.budgetguard.common.keys.Signature;
import io.budgetguard.common.keys.VersionedValue;
import io.budgetguard.common.keys.local.LocalKeyFile.Contents;
import io.budgetguard.common.keys.local.LocalKeyFile.StoredKey;
import io.budgetguard.common.keys.local.LocalKeyFile.StoredVersion;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dev-only key service: the same operations and formats as Vault Transit, with the keys in a local file
 * ({@value LocalKeyFile#FILE_NAME}, mode 0600) under a directory of your choice. Keys are created on first use (an
 * Ed25519 key when first used to sign, an AES-256-GCM key otherwise). Refused when {@code BUDGETGUARD_ENV=production};
 * logs a loud warning when opened.
 */
public final class LocalKeyService implements KeyService {

    /** Key types, named as Vault Transit names them. */
    public enum KeyType {
        ED25519("ed25519"),
        AES256_GCM96("aes256-gcm96");

        private final String vaultName;

        KeyType(String vaultName) {
            this.vaultName = vaultName;
        }

        public String vaultName() {
            return vaultName;
        }

        static KeyType ofVaultName(String name) {
            for (KeyType type : values()) {
                if (type.vaultName.equals(name)) {
                    return type;
                }
            }
            throw new KeyServiceException("the local key store has a key of unknown type '" + name + "'");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalKeyService.class);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final LocalKeyFile store;
    private final SecureRandom random = new SecureRandom();

    private LocalKeyService(LocalKeyFile store) {
        this.store = store;
    }

    /**
     * Opens (creating if needed) the key store in {@code directory}.
     *
     * @param budgetguardEnv the value of {@code BUDGETGUARD_ENV} (may be null)
     * @throws LocalKeyServiceRefusedException when {@code budgetguardEnv} is {@code production} (or {@code prod})
     */
    public static LocalKeyService open(Path directory, String budgetguardEnv) {
        refuseInProduction(budgetguardEnv);
        LocalKeyFile store = new LocalKeyFile(directory);
        LOG.warn("""

                ************************************************************************
                *  LOCAL KEY SERVICE — NOT FOR PRODUCTION                              *
                *  Signing and encryption keys are stored unprotected on this disk:    *
                *  {}
                *  Production uses Vault: BUDGETGUARD_KEY_SERVICE=vault (docs/VAULT.md) *
                ************************************************************************""", store.file());
        return new LocalKeyService(store);
    }

    /** Whether {@code BUDGETGUARD_ENV} names production, where only Vault is allowed. */
    public static boolean isProduction(String budgetguardEnv) {
        if (budgetguardEnv == null) {
            return false;
        }
        String env = budgetguardEnv.trim().toLowerCase(Locale.ROOT);
        return env.equals("production") || env.equals("prod");
    }

    private static void refuseInProduction(String budgetguardEnv) {
        if (isProduction(budgetguardEnv)) {
            throw new LocalKeyServiceRefusedException("the local key service keeps keys in a plain file and is refused "
                    + "when BUDGETGUARD_ENV=" + budgetguardEnv.trim() + "; use BUDGETGUARD_KEY_SERVICE=vault with "
                    + "VAULT_ADDR (see docs/VAULT.md)");
        }
    }

    /** The key store file. */
    public Path file() {
        return store.file();
    }

    @Override
    public Signature sign(String keyName, byte[] message) {
        StoredKey key = existingOrNew(keyName, KeyType.ED25519);
        requireType(keyName, key, KeyType.ED25519, "sign");
        int version = key.latest();
        try {
            byte[] pkcs8 = decode(key.versions().get(version).key());
            PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(message);
            return new Signature(new VersionedValue(version, signer.sign()).format(), version);
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("cannot sign with local key '" + keyName + "' v" + version, e);
        }
    }

    @Override
    public boolean verify(String keyName, byte[] message, String signature) {
        StoredKey key = existing(keyName, "verify");
        requireType(keyName, key, KeyType.ED25519, "verify");
        return Ed25519Verifier.verify(publicKeysOf(key), message, signature);
    }

    @Override
    public Map<Integer, byte[]> publicKeys(String keyName) {
        StoredKey key = existing(keyName, "read public keys");
        requireType(keyName, key, KeyType.ED25519, "read public keys");
        return publicKeysOf(key);
    }

    @Override
    public byte[] hmac(String keyName, byte[] data) {
        StoredKey key = existingOrNew(keyName, KeyType.AES256_GCM96);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(decode(key.versions().get(key.latest()).hmacKey()), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("cannot compute an HMAC with local key '" + keyName + "'", e);
        }
    }

    @Override
    public DataKey newDataKey(String keyName) {
        StoredKey key = existingOrNew(keyName, KeyType.AES256_GCM96);
        requireType(keyName, key, KeyType.AES256_GCM96, "wrap a data key");
        byte[] dataKey = new byte[32];
        random.nextBytes(dataKey);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        int version = key.latest();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, aesKey(key, version), new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(dataKey);
            // Vault's layout: nonce followed by ciphertext and tag
            byte[] wrapped = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return new DataKey(dataKey, new VersionedValue(version, wrapped).format());
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("cannot wrap a data key with local key '" + keyName + "'", e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public byte[] unwrapDataKey(String keyName, String wrapped) {
        StoredKey key = existing(keyName, "unwrap a data key");
        requireType(keyName, key, KeyType.AES256_GCM96, "unwrap a data key");
        VersionedValue value;
        try {
            value = VersionedValue.parse(wrapped);
        } catch (IllegalArgumentException e) {
            throw new InvalidCiphertextException("cannot unwrap with key '" + keyName + "': " + e.getMessage());
        }
        if (!key.versions().containsKey(value.version())) {
            throw new InvalidCiphertextException("cannot unwrap with key '" + keyName + "': it has no version v"
                    + value.version());
        }
        byte[] bytes = value.bytes();
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new InvalidCiphertextException("cannot unwrap with key '" + keyName + "': the ciphertext is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, aesKey(key, value.version()),
                    new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            return cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new InvalidCiphertextException("cannot unwrap with key '" + keyName
                    + "': message authentication failed (tampered, or wrapped by another key)");
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("cannot unwrap with local key '" + keyName + "'", e);
        }
    }

    @Override
    public void deleteKey(String keyName) {
        KeyNames.requireValid(keyName);
        boolean[] deleted = {false};
        store.update(contents -> {
            deleted[0] = contents.keys().containsKey(keyName);
            return deleted[0] ? contents.withKey(keyName, null) : contents;
        });
        if (deleted[0]) {
            LOG.info("deleted local key '{}'", keyName);
        }
    }

    @Override
    public Optional<Map<String, String>> readSecret(String path) {
        return Optional.ofNullable(store.read().secrets().get(requireSecretPath(path)));
    }

    /** Creates the key if it does not exist (dev tooling and tests; Vault's equivalent is the setup script). */
    public void createKey(String keyName, KeyType type) {
        StoredKey key = existingOrNew(keyName, type);
        requireType(keyName, key, type, "create as " + type.vaultName());
    }

    /**
     * Adds a new version of the key, which then signs, wraps and HMACs; older versions still verify and unwrap.
     *
     * @return the new version
     */
    public int rotateKey(String keyName) {
        existing(keyName, "rotate");
        Contents after = store.update(contents -> {
            StoredKey key = contents.keys().get(keyName);
            if (key == null) {
                throw new KeyNotFoundException(keyName, "rotate");
            }
            Map<Integer, StoredVersion> versions = new TreeMap<>(key.versions());
            int next = key.latest() + 1;
            versions.put(next, newVersion(KeyType.ofVaultName(key.type())));
            return contents.withKey(keyName, new StoredKey(key.type(), next, versions));
        });
        int version = after.keys().get(keyName).latest();
        LOG.info("rotated local key '{}' to v{}", keyName, version);
        return version;
    }

    /** Stores a secret for {@link #readSecret(String)} (dev mode writes what Vault's KV would hold in production). */
    public void putSecret(String path, Map<String, String> values) {
        String checked = requireSecretPath(path);
        Map<String, String> copy = Collections.unmodifiableMap(new HashMap<>(values));
        store.update(contents -> contents.withSecret(checked, copy));
    }

    @Override
    public void close() {
        // nothing held open: every change is written when it is made
    }

    private StoredKey existing(String keyName, String operation) {
        KeyNames.requireValid(keyName);
        StoredKey key = store.read().keys().get(keyName);
        if (key == null) {
            throw new KeyNotFoundException(keyName, operation);
        }
        return key;
    }

    private StoredKey existingOrNew(String keyName, KeyType type) {
        KeyNames.requireValid(keyName);
        StoredKey key = store.read().keys().get(keyName);
        if (key != null) {
            return key;
        }
        Contents after = store.update(contents -> contents.keys().containsKey(keyName)
                ? contents
                : contents.withKey(keyName, new StoredKey(type.vaultName(), 1, Map.of(1, newVersion(type)))));
        LOG.info("created local {} key '{}'", type.vaultName(), keyName);
        return after.keys().get(keyName);
    }

    private StoredVersion newVersion(KeyType type) {
        byte[] hmacKey = new byte[32];
        random.nextBytes(hmacKey);
        long now = Instant.now().getEpochSecond();
        if (type == KeyType.ED25519) {
            try {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                return new StoredVersion(encode(pair.getPrivate().getEncoded()),
                        encode(Ed25519Verifier.rawPublicKey(pair.getPublic())), encode(hmacKey), now);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no Ed25519 support", e);
            }
        }
        byte[] aes = new byte[32];
        random.nextBytes(aes);
        return new StoredVersion(encode(aes), null, encode(hmacKey), now);
    }

    private static void requireType(String keyName, StoredKey key, KeyType expected, String operation) {
        if (!expected.vaultName().equals(key.type())) {
            throw new KeyServiceRequestException("key '" + keyName + "' is of type " + key.type() + " and cannot "
                    + operation + " (needs " + expected.vaultName() + ")", 400);
        }
    }

    private static Map<Integer, byte[]> publicKeysOf(StoredKey key) {
        Map<Integer, byte[]> keys = new TreeMap<>();
        key.versions().forEach((version, material) -> keys.put(version, decode(material.publicKey())));
        return Collections.unmodifiableMap(keys);
    }

    private static SecretKeySpec aesKey(StoredKey key, int version) {
        return new SecretKeySpec(decode(key.versions().get(version).key()), "AES");
    }

    static String requireSecretPath(String path) {
        if (path == null || path.isBlank() || path.startsWith("/") || path.contains("..") || path.endsWith("/")) {
            throw new IllegalArgumentException("secret path must be relative, like budgetguard/admin, was '" + path + "'");
        }
        return path;
    }

    private static String encode(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] decode(String base64) {
        return Base64.getDecoder().decode(base64);
    }
}
