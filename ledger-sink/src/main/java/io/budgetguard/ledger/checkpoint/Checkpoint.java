package io.budgetguard.ledger.checkpoint;

import io.budgetguard.common.keys.Signature;
import io.budgetguard.ledger.chain.CanonicalJson;
import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.LedgerFormats;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A signed chain head (PRODUCT.md §5), one row of {@code ledger_checkpoints} and one record of
 * {@code ledger.checkpoints.v1}. {@code chainId} is the tenant id for a ledger chain and {@code audit:<tenant_id>} for
 * an audit chain. The signature covers {@link #message()}: the canonical array
 * {@code ["ckpt-v1", chain_id, seq, hex(head_hash), signed_at]}, signed as raw bytes with plain Ed25519.
 */
public record Checkpoint(String chainId, long seq, ChainHash headHash, Instant signedAt, String signature,
        int keyVersion) {

    public static final String VERSION = "ckpt-v1";

    public Checkpoint {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(headHash, "headHash");
        signedAt = LedgerFormats.toMillis(Objects.requireNonNull(signedAt, "signedAt"));
        Objects.requireNonNull(signature, "signature");
        if (seq < 1) {
            throw new IllegalArgumentException("a checkpoint covers seq >= 1, was " + seq);
        }
    }

    /** The bytes that are signed: {@code ["ckpt-v1","<chain>","<seq>","<hex head>","<signed_at>"]} in UTF-8. */
    public static byte[] message(String chainId, long seq, ChainHash headHash, Instant signedAt) {
        return CanonicalJson.array(List.of(VERSION, chainId, Long.toString(seq), headHash.hex(),
                LedgerFormats.timestamp(LedgerFormats.toMillis(signedAt))));
    }

    public byte[] message() {
        return message(chainId, seq, headHash, signedAt);
    }

    /** Whether {@link #keyVersion()} is the {@code v<n>} written in the signature (a malformed signature is not). */
    public boolean keyVersionMatchesSignature() {
        try {
            return Signature.of(signature).keyVersion() == keyVersion;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
