package io.budgetguard.ledger.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PersonalDataCipherTest {

    private static DataKeyRef key(int version) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new DataKeyRef(version, new SecretKeySpec(bytes, "AES"));
    }

    private final DataKeyRef key = key(7);

    @Test
    void shouldRoundTripAndNameTheDataKeyVersion() {
        String ciphertext = PersonalDataCipher.encrypt(key, "acme", "evt-1", PersonalDataCipher.END_USER, "alice 😀");

        assertThat(ciphertext).matches("v1:7:[A-Za-z0-9+/]+={0,2}");
        assertThat(PersonalDataCipher.keyVersion(ciphertext)).isEqualTo(7);
        assertThat(PersonalDataCipher.decrypt(key.key(), "acme", "evt-1", PersonalDataCipher.END_USER, ciphertext))
                .isEqualTo("alice 😀");
    }

    @Test
    void shouldLayOutNonceCiphertextAndTag() {
        String ciphertext = PersonalDataCipher.encrypt(key, "acme", "evt-1", PersonalDataCipher.END_USER, "alice");

        byte[] raw = Base64.getDecoder().decode(ciphertext.substring("v1:7:".length()));
        assertThat(raw).hasSize(12 + "alice".length() + 16);
    }

    @Test
    void shouldUseAFreshNonceEveryTime() {
        assertThat(PersonalDataCipher.encrypt(key, "acme", "e", PersonalDataCipher.END_USER, "alice"))
                .isNotEqualTo(PersonalDataCipher.encrypt(key, "acme", "e", PersonalDataCipher.END_USER, "alice"));
    }

    @Test
    void shouldRefuseACiphertextMovedToAnotherEventTenantOrField() {
        String ciphertext = PersonalDataCipher.encrypt(key, "acme", "evt-1", PersonalDataCipher.END_USER, "alice");

        assertThatThrownBy(() -> PersonalDataCipher.decrypt(key.key(), "acme", "evt-2", PersonalDataCipher.END_USER,
                ciphertext)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not authenticate");
        assertThatThrownBy(() -> PersonalDataCipher.decrypt(key.key(), "globex", "evt-1",
                PersonalDataCipher.END_USER, ciphertext)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PersonalDataCipher.decrypt(key.key(), "acme", "evt-1", PersonalDataCipher.METADATA,
                ciphertext)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseAnotherKey() {
        String ciphertext = PersonalDataCipher.encrypt(key, "acme", "evt-1", PersonalDataCipher.END_USER, "alice");

        assertThatThrownBy(() -> PersonalDataCipher.decrypt(key(7).key(), "acme", "evt-1",
                PersonalDataCipher.END_USER, ciphertext)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseAMalformedCiphertextWithoutEchoingIt() {
        assertThatThrownBy(() -> PersonalDataCipher.keyVersion("alice@example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("alice");
    }
}
