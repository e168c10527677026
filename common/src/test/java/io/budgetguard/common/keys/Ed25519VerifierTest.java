package io.budgetguard.common.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Ed25519VerifierTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 8032, section 7.1, TEST 2: one-byte message 0x72
    private static final byte[] RFC_PUBLIC_KEY = HEX.parseHex(
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static final byte[] RFC_MESSAGE = HEX.parseHex("72");
    private static final byte[] RFC_SIGNATURE = HEX.parseHex(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                    + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    private static String vaultForm(int version, byte[] signature) {
        return "vault:v" + version + ":" + Base64.getEncoder().encodeToString(signature);
    }

    @Test
    void shouldVerifyTheRfc8032TestVector() {
        assertThat(Ed25519Verifier.verify(RFC_PUBLIC_KEY, RFC_MESSAGE, vaultForm(1, RFC_SIGNATURE))).isTrue();
    }

    @Test
    void shouldRejectTheTestVectorSignatureForAnotherMessage() {
        assertThat(Ed25519Verifier.verify(RFC_PUBLIC_KEY, HEX.parseHex("73"), vaultForm(1, RFC_SIGNATURE))).isFalse();
    }

    @Test
    void shouldPickThePublicKeyOfTheVersionNamedInTheSignature() {
        byte[] otherKey = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        Map<Integer, byte[]> keys = Map.of(1, otherKey, 2, RFC_PUBLIC_KEY);

        assertThat(Ed25519Verifier.verify(keys, RFC_MESSAGE, vaultForm(2, RFC_SIGNATURE))).isTrue();
        assertThat(Ed25519Verifier.verify(keys, RFC_MESSAGE, vaultForm(1, RFC_SIGNATURE))).isFalse();
    }

    @Test
    void shouldRejectASignatureOfAnUnknownVersion() {
        assertThat(Ed25519Verifier.verify(Map.of(1, RFC_PUBLIC_KEY), RFC_MESSAGE, vaultForm(3, RFC_SIGNATURE)))
                .isFalse();
    }

    @Test
    void shouldRejectMalformedSignatures() {
        assertThat(Ed25519Verifier.verify(RFC_PUBLIC_KEY, RFC_MESSAGE, "vault:v1:not base64!")).isFalse();
        assertThat(Ed25519Verifier.verify(RFC_PUBLIC_KEY, RFC_MESSAGE, "v1:" + vaultForm(1, RFC_SIGNATURE)))
                .isFalse();
        assertThat(Ed25519Verifier.verify(RFC_PUBLIC_KEY, RFC_MESSAGE, vaultForm(1, new byte[63]))).isFalse();
        assertThat(Ed25519Verifier.verify(RFC_PUBLIC_KEY, RFC_MESSAGE, null)).isFalse();
    }

    @Test
    void shouldRefuseAPublicKeyThatIsNot32Bytes() {
        assertThatThrownBy(() -> Ed25519Verifier.verify(new byte[31], RFC_MESSAGE, vaultForm(1, RFC_SIGNATURE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
    }

    @Test
    void shouldConvertJdkPublicKeysToRawAndBack() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

        byte[] raw = Ed25519Verifier.rawPublicKey(pair.getPublic());

        assertThat(raw).hasSize(32);
        assertThat(Ed25519Verifier.publicKey(raw).getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    }

    @Test
    void shouldVerifyWhatTheJdkSigned() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(RFC_MESSAGE);

        assertThat(Ed25519Verifier.verify(Ed25519Verifier.rawPublicKey(pair.getPublic()), RFC_MESSAGE,
                vaultForm(7, signer.sign()))).isTrue();
    }
}
