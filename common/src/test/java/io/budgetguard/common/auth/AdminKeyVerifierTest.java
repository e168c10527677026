package io.budgetguard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class AdminKeyVerifierTest {

    private final String adminKey = AdminKeyVerifier.newAdminKey();

    @Test
    void shouldAcceptTheAdminKeyWhoseHashIsConfigured() {
        AdminKeyVerifier verifier = new AdminKeyVerifier(AdminKeyVerifier.sha256Hex(adminKey));

        assertThat(verifier.verify(adminKey)).isTrue();
    }

    @Test
    void shouldRefuseAnyOtherKey() {
        AdminKeyVerifier verifier = new AdminKeyVerifier(AdminKeyVerifier.sha256Hex(adminKey));

        assertThat(verifier.verify(AdminKeyVerifier.newAdminKey())).isFalse();
        assertThat(verifier.verify(adminKey + "x")).isFalse();
        assertThat(verifier.verify("")).isFalse();
        assertThat(verifier.verify(null)).isFalse();
    }

    @Test
    void shouldAcceptUpperCaseHex() {
        AdminKeyVerifier verifier = new AdminKeyVerifier(AdminKeyVerifier.sha256Hex(adminKey).toUpperCase(Locale.ROOT));

        assertThat(verifier.verify(adminKey)).isTrue();
    }

    @Test
    void shouldPinTheHashOfAKnownKey() {
        assertThat(AdminKeyVerifier.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void shouldRefuseAConfiguredValueThatIsNotASha256() {
        assertThatThrownBy(() -> new AdminKeyVerifier("abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdminKeyVerifier("z".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdminKeyVerifier(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGenerateAdminKeysOf32RandomBytes() {
        assertThat(AdminKeyVerifier.newAdminKey()).matches("[0-9a-f]{64}").isNotEqualTo(AdminKeyVerifier.newAdminKey());
    }
}
