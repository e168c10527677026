package io.budgetguard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void shouldGenerateKeysOfTheDocumentedForm() {
        PresentedKey key = ApiKeys.generate();

        assertThat(key.keyId()).matches("k[a-z0-9]{15}");
        assertThat(key.secret()).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(key.secret())).hasSize(32);
        assertThat(key.token()).isEqualTo("bg_" + key.keyId() + "." + key.secret());
    }

    @Test
    void shouldGenerateDifferentKeysEachTime() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            tokens.add(ApiKeys.generate().token());
        }
        assertThat(tokens).hasSize(100);
    }

    @Test
    void shouldParseWhatItGenerates() {
        PresentedKey key = ApiKeys.generate();

        assertThat(ApiKeys.parse(key.token())).isEqualTo(key);
    }

    @Test
    void shouldRefuseMissingKey() {
        assertThatThrownBy(() -> ApiKeys.parse("")).isInstanceOf(MalformedApiKeyException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> ApiKeys.parse(null)).isInstanceOf(MalformedApiKeyException.class);
    }

    @Test
    void shouldRefuseWrongPrefix() {
        String token = ApiKeys.generate().token();
        assertThatThrownBy(() -> ApiKeys.parse("xx" + token.substring(2)))
                .isInstanceOf(MalformedApiKeyException.class).hasMessageContaining("bg_");
    }

    @Test
    void shouldRefuseWrongLength() {
        String token = ApiKeys.generate().token();
        assertThatThrownBy(() -> ApiKeys.parse(token + "A")).hasMessageContaining("length");
        assertThatThrownBy(() -> ApiKeys.parse(token.substring(1))).hasMessageContaining("length");
    }

    @Test
    void shouldRefuseKeyIdOutsideItsAlphabet() {
        PresentedKey key = ApiKeys.generate();
        assertThatThrownBy(() -> ApiKeys.parse(new PresentedKey("K" + key.keyId().substring(1), key.secret()).token()))
                .hasMessageContaining("key id");
        assertThatThrownBy(() -> ApiKeys.parse(new PresentedKey("kABCDEFGHIJKLMNO", key.secret()).token()))
                .hasMessageContaining("key id");
    }

    @Test
    void shouldRefuseMisplacedSeparator() {
        PresentedKey key = ApiKeys.generate();
        String token = "bg_" + key.keyId().substring(1) + ".a" + key.secret();
        assertThatThrownBy(() -> ApiKeys.parse(token)).isInstanceOf(MalformedApiKeyException.class);
    }

    @Test
    void shouldRefuseSecretOutsideBase64Url() {
        PresentedKey key = ApiKeys.generate();
        String secret = "+" + key.secret().substring(1);
        assertThatThrownBy(() -> ApiKeys.parse(new PresentedKey(key.keyId(), secret).token()))
                .hasMessageContaining("base64url");
    }

    @Test
    void shouldNeverEchoTheSecretInFailures() {
        PresentedKey key = ApiKeys.generate();
        String secret = "=" + key.secret().substring(1);
        assertThatThrownBy(() -> ApiKeys.parse(new PresentedKey(key.keyId(), secret).token()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key.secret().substring(1)));
    }

    @Test
    void shouldMaskTheSecretInToString() {
        PresentedKey key = ApiKeys.generate();

        assertThat(key.toString()).contains(key.keyId()).doesNotContain(key.secret());
    }

    @Test
    void shouldRecogniseKeyIds() {
        assertThat(ApiKeys.isKeyId("k0123456789abcde")).isTrue();
        assertThat(ApiKeys.isKeyId("k0123456789abcd")).isFalse();
        assertThat(ApiKeys.isKeyId("x0123456789abcde")).isFalse();
        assertThat(ApiKeys.isKeyId(null)).isFalse();
    }
}
