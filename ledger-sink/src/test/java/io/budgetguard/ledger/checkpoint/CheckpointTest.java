package io.budgetguard.ledger.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.keys.Ed25519Verifier;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private static final ChainHash HEAD =
            ChainHash.fromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    @Test
    void shouldSignTheCanonicalArrayOfPRODUCT5() {
        byte[] message = Checkpoint.message("acme", 42, HEAD, Instant.parse("2025-03-01T12:00:00.1239Z"));

        assertThat(new String(message, StandardCharsets.UTF_8)).isEqualTo("[\"ckpt-v1\",\"acme\",\"42\","
                + "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\",\"2025-03-01T12:00:00.123Z\"]");
    }

    @Test
    void shouldProduceASignatureAnyoneCanCheckWithThePublicKeyAlone(@TempDir Path dir) {
        LocalKeyService keys = LocalKeyService.open(dir, "test");
        MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00.5Z"));

        Checkpoint checkpoint = new CheckpointSigner(keys, clock).sign("audit:acme", new ChainHead(7, HEAD));

        assertThat(checkpoint.signature()).startsWith("vault:v1:");
        assertThat(checkpoint.keyVersion()).isEqualTo(1);
        assertThat(checkpoint.signedAt()).isEqualTo(clock.instant());
        assertThat(Ed25519Verifier.verify(keys.publicKeys(CheckpointSigner.KEY_NAME), checkpoint.message(),
                checkpoint.signature())).isTrue();
    }

    @Test
    void shouldNotVerifyOnceAnySignedFieldChanged(@TempDir Path dir) {
        LocalKeyService keys = LocalKeyService.open(dir, "test");
        Checkpoint checkpoint = new CheckpointSigner(keys, new MutableClock(Instant.EPOCH)).sign("acme",
                new ChainHead(7, HEAD));

        byte[] otherSeq = Checkpoint.message("acme", 8, HEAD, checkpoint.signedAt());

        assertThat(Ed25519Verifier.verify(keys.publicKeys(CheckpointSigner.KEY_NAME), otherSeq,
                checkpoint.signature())).isFalse();
    }

    @Test
    void shouldTellWhenTheKeyVersionColumnDisagreesWithTheSignature() {
        Checkpoint checkpoint = new Checkpoint("acme", 1, HEAD, Instant.EPOCH, "vault:v2:AAAA", 1);

        assertThat(checkpoint.keyVersionMatchesSignature()).isFalse();
    }
}
