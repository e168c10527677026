package io.budgetguard.common.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyService} must do, whatever holds the keys. Subclasses provide the service and the operator
 * actions a real deployment does outside the service (create, rotate keys; write secrets). Key names are unique per
 * test so that the suite can run repeatedly against one real Vault.
 */
public abstract class KeyServiceContractTest {

    private static final byte[] MESSAGE = "[\"ckpt-v1\",\"acme\",\"1000\",\"ab12\",\"2026-01-01T00:00:00.000Z\"]"
            .getBytes(StandardCharsets.UTF_8);

    private final List<String> createdKeys = new ArrayList<>();
    private KeyService service;

    /** Opens the service under test; called before each test, closed after it. */
    protected abstract KeyService openKeyService();

    protected abstract void createSigningKey(String name);

    protected abstract void createAesKey(String name);

    protected abstract void rotateKey(String name);

    /** Writes a secret at {@code path} below the KV mount. */
    protected abstract void putSecret(String path, Map<String, String> values);

    protected final KeyService keyService() {
        return service;
    }

    @BeforeEach
    void openService() {
        service = openKeyService();
    }

    /** Removes the keys this test created (only matters for a shared real Vault), then closes the service. */
    @AfterEach
    void deleteCreatedKeysAndClose() {
        try {
            for (String name : createdKeys) {
                try {
                    service.deleteKey(name);
                } catch (RuntimeException ignored) {
                    // clean-up only
                }
            }
        } finally {
            service.close();
        }
    }

    private String signingKey() {
        String name = "contract-sign-" + UUID.randomUUID();
        createSigningKey(name);
        createdKeys.add(name);
        return name;
    }

    private String aesKey() {
        String name = "contract-aes-" + UUID.randomUUID();
        createAesKey(name);
        createdKeys.add(name);
        return name;
    }

    private String tenantKey() {
        String name = KeyNames.tenantDataKey("contract-" + UUID.randomUUID());
        createdKeys.add(name);
        return name;
    }

    @Test
    void shouldVerifyItsOwnSignature() {
        String key = signingKey();
        Signature signature = keyService().sign(key, MESSAGE);

        assertThat(keyService().verify(key, MESSAGE, signature.value())).isTrue();
    }

    @Test
    void shouldWriteSignaturesInVaultTransitFormWithTheKeyVersion() {
        String key = signingKey();
        Signature signature = keyService().sign(key, MESSAGE);

        assertThat(signature.value()).matches("vault:v1:[A-Za-z0-9+/]+={0,2}");
        assertThat(signature.keyVersion()).isEqualTo(1);
        assertThat(signature.bytes()).hasSize(64);
    }

    @Test
    void shouldRejectTheSignatureOfATamperedMessage() {
        String key = signingKey();
        Signature signature = keyService().sign(key, MESSAGE);
        byte[] tampered = MESSAGE.clone();
        tampered[tampered.length - 3] ^= 1;

        assertThat(keyService().verify(key, tampered, signature.value())).isFalse();
    }

    @Test
    void shouldRejectAMalformedSignature() {
        String key = signingKey();

        assertThat(keyService().verify(key, MESSAGE, "not-a-signature")).isFalse();
    }

    @Test
    void shouldProduceSignaturesThatVerifyOfflineWithThePublishedKey() {
        String key = signingKey();
        Signature signature = keyService().sign(key, MESSAGE);
        Map<Integer, byte[]> publicKeys = keyService().publicKeys(key);

        assertThat(publicKeys).containsOnlyKeys(1);
        assertThat(publicKeys.get(1)).hasSize(32);
        assertThat(Ed25519Verifier.verify(publicKeys.get(signature.keyVersion()), MESSAGE, signature.value())).isTrue();
        assertThat(Ed25519Verifier.verify(publicKeys, MESSAGE, signature.value())).isTrue();
    }

    @Test
    void shouldSignWithTheNewVersionAfterRotation() {
        String key = signingKey();
        rotateKey(key);

        Signature signature = keyService().sign(key, MESSAGE);

        assertThat(signature.keyVersion()).isEqualTo(2);
        assertThat(signature.value()).startsWith("vault:v2:");
        assertThat(keyService().verify(key, MESSAGE, signature.value())).isTrue();
    }

    @Test
    void shouldStillVerifySignaturesOfTheOldVersionAfterRotation() {
        String key = signingKey();
        Signature old = keyService().sign(key, MESSAGE);
        rotateKey(key);

        assertThat(keyService().verify(key, MESSAGE, old.value())).isTrue();
        assertThat(Ed25519Verifier.verify(keyService().publicKeys(key), MESSAGE, old.value())).isTrue();
    }

    @Test
    void shouldListThePublicKeysOfEveryVersionAfterRotation() {
        String key = signingKey();
        rotateKey(key);

        Map<Integer, byte[]> publicKeys = keyService().publicKeys(key);

        assertThat(publicKeys).containsOnlyKeys(1, 2);
        assertThat(publicKeys.get(1)).isNotEqualTo(publicKeys.get(2));
        Signature signature = keyService().sign(key, MESSAGE);
        assertThat(Ed25519Verifier.verify(publicKeys.get(1), MESSAGE, signature.value())).isFalse();
        assertThat(Ed25519Verifier.verify(publicKeys.get(2), MESSAGE, signature.value())).isTrue();
    }

    @Test
    void shouldFailToReadPublicKeysOfAnUnknownKey() {
        assertThatThrownBy(() -> keyService().publicKeys("contract-missing-" + UUID.randomUUID()))
                .isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void shouldUnwrapAWrappedDataKey() {
        String key = aesKey();
        DataKey dataKey = keyService().newDataKey(key);

        assertThat(dataKey.plaintext()).hasSize(32);
        assertThat(dataKey.wrapped()).startsWith("vault:v1:");
        assertThat(keyService().unwrapDataKey(key, dataKey.wrapped())).isEqualTo(dataKey.plaintext());
    }

    @Test
    void shouldGiveEveryDataKeyItsOwnKeyAndCiphertext() {
        String key = aesKey();
        DataKey first = keyService().newDataKey(key);
        DataKey second = keyService().newDataKey(key);

        assertThat(first.plaintext()).isNotEqualTo(second.plaintext());
        assertThat(first.wrapped()).isNotEqualTo(second.wrapped());
    }

    @Test
    void shouldCreateATenantDataKeyOnFirstUse() {
        String key = tenantKey();
        DataKey dataKey = keyService().newDataKey(key);

        assertThat(keyService().unwrapDataKey(key, dataKey.wrapped())).isEqualTo(dataKey.plaintext());
    }

    @Test
    void shouldUnwrapDataKeysWrappedBeforeARotation() {
        String key = aesKey();
        DataKey old = keyService().newDataKey(key);
        rotateKey(key);
        DataKey fresh = keyService().newDataKey(key);

        assertThat(fresh.wrappingKeyVersion()).isEqualTo(2);
        assertThat(keyService().unwrapDataKey(key, old.wrapped())).isEqualTo(old.plaintext());
    }

    @Test
    void shouldFailToUnwrapOnceTheKeyIsDeleted() {
        String key = tenantKey();
        DataKey dataKey = keyService().newDataKey(key);

        keyService().deleteKey(key);

        assertThatThrownBy(() -> keyService().unwrapDataKey(key, dataKey.wrapped()))
                .isInstanceOf(KeyNotFoundException.class)
                .hasMessageContaining(key)
                .hasMessageNotContaining(dataKey.wrapped());
    }

    @Test
    void shouldAcceptDeletingAKeyThatDoesNotExist() {
        keyService().deleteKey(KeyNames.tenantDataKey("contract-never-" + UUID.randomUUID()));
    }

    @Test
    void shouldRejectATamperedWrappedKey() {
        String key = aesKey();
        DataKey dataKey = keyService().newDataKey(key);
        VersionedValue value = VersionedValue.parse(dataKey.wrapped());
        byte[] bytes = value.bytes();
        bytes[bytes.length - 1] ^= 1;
        String tampered = new VersionedValue(value.version(), bytes).format();

        assertThatThrownBy(() -> keyService().unwrapDataKey(key, tampered))
                .isInstanceOf(InvalidCiphertextException.class);
    }

    @Test
    void shouldRejectADataKeyWrappedByAnotherKey() {
        String key = aesKey();
        String other = aesKey();
        DataKey dataKey = keyService().newDataKey(other);

        assertThatThrownBy(() -> keyService().unwrapDataKey(key, dataKey.wrapped()))
                .isInstanceOf(InvalidCiphertextException.class);
    }

    @Test
    void shouldComputeTheSameHmacForTheSameData() {
        String key = aesKey();
        byte[] data = "end-user-42".getBytes(StandardCharsets.UTF_8);

        byte[] first = keyService().hmac(key, data);

        assertThat(first).hasSize(32);
        assertThat(keyService().hmac(key, data)).isEqualTo(first);
    }

    @Test
    void shouldComputeDifferentHmacsForDifferentKeys() {
        byte[] data = "end-user-42".getBytes(StandardCharsets.UTF_8);

        assertThat(keyService().hmac(aesKey(), data)).isNotEqualTo(keyService().hmac(aesKey(), data));
    }

    @Test
    void shouldComputeDifferentHmacsForDifferentData() {
        String key = aesKey();

        assertThat(keyService().hmac(key, "a".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(keyService().hmac(key, "b".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldReadASecret() {
        String path = "budgetguard/contract-" + UUID.randomUUID();
        putSecret(path, Map.of("admin_key_sha256", "ab".repeat(32), "note", "dev"));

        assertThat(keyService().readSecret(path))
                .hasValue(Map.of("admin_key_sha256", "ab".repeat(32), "note", "dev"));
    }

    @Test
    void shouldReadTheNewestVersionOfASecret() {
        String path = "budgetguard/contract-" + UUID.randomUUID();
        putSecret(path, Map.of("value", "old"));
        putSecret(path, Map.of("value", "new"));

        assertThat(keyService().readSecret(path)).hasValue(Map.of("value", "new"));
    }

    @Test
    void shouldReturnNothingForAMissingSecret() {
        assertThat(keyService().readSecret("budgetguard/contract-missing-" + UUID.randomUUID())).isEmpty();
    }

    @Test
    void shouldNeverShowDataKeyMaterialInToString() {
        DataKey dataKey = keyService().newDataKey(aesKey());

        assertThat(dataKey.toString())
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(dataKey.plaintext()))
                .doesNotContain(Arrays.toString(dataKey.plaintext()));
    }
}
