package io.budgetguard.common.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionedValueTest {

    @Test
    void shouldParseVaultsFormat() {
        VersionedValue value = VersionedValue.parse("vault:v12:AQID");

        assertThat(value.version()).isEqualTo(12);
        assertThat(value.bytes()).containsExactly(1, 2, 3);
        assertThat(value.format()).isEqualTo("vault:v12:AQID");
    }

    @Test
    void shouldRejectOtherFormsWithoutEchoingTheValue() {
        for (String bad : new String[] {"vault:v0:AQID", "vault:1:AQID", "vault:v1", "vaul:v1:AQID", "vault:v1:AQ$D"}) {
            assertThatThrownBy(() -> VersionedValue.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining(bad);
        }
    }

    @Test
    void shouldTieASignatureToItsKeyVersion() {
        assertThat(Signature.of("vault:v3:AQID").keyVersion()).isEqualTo(3);
        assertThatThrownBy(() -> new Signature("vault:v3:AQID", 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHideTheDataKeyPlaintext() {
        DataKey key = new DataKey(new byte[32], "vault:v2:AQID");

        assertThat(key.toString()).contains("v2").doesNotContain("AAAAAAAA");
        assertThat(key.wrappingKeyVersion()).isEqualTo(2);
    }

    @Test
    void shouldCopyDataKeyBytesSoCallersCannotChangeThem() {
        byte[] plaintext = new byte[32];
        DataKey key = new DataKey(plaintext, "vault:v1:AQID");
        plaintext[0] = 9;
        key.plaintext()[1] = 9;

        assertThat(key.plaintext()).containsOnly(0);
    }
}
