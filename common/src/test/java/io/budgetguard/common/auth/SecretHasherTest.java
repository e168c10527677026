package io.budgetguard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretHasherTest {

    private final SecretHasher fast = new SecretHasher(4);

    @Test
    void shouldHashAtCost12ByDefault() {
        String hash = new SecretHasher().hash("secret");

        assertThat(hash).startsWith("$2a$12$").hasSize(60);
    }

    @Test
    void shouldVerifyTheRightSecret() {
        String secret = ApiKeys.generate().secret();

        assertThat(fast.verify(secret, fast.hash(secret))).isTrue();
    }

    @Test
    void shouldRefuseAWrongSecret() {
        String hash = fast.hash(ApiKeys.generate().secret());

        assertThat(fast.verify(ApiKeys.generate().secret(), hash)).isFalse();
    }

    @Test
    void shouldSaltEachHash() {
        assertThat(fast.hash("same")).isNotEqualTo(fast.hash("same"));
    }

    @Test
    void shouldRefuseWhenTheStoredHashIsNotBcrypt() {
        assertThat(fast.verify("secret", "not-a-hash")).isFalse();
        assertThat(fast.verify("secret", null)).isFalse();
        assertThat(fast.verify(null, fast.hash("secret"))).isFalse();
    }

    @Test
    void shouldRefuseCostsBcryptDoesNotSupport() {
        assertThatThrownBy(() -> new SecretHasher(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
