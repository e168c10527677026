package io.budgetguard.ledger.checkpoint;

import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.Signature;
import io.budgetguard.ledger.chain.ChainHead;
import java.time.Clock;
import java.util.Objects;

/**
 * Signs chain heads through the key service with {@value KeyNames#LEDGER_SIGNING_KEY} (Vault Transit in production:
 * the private key never leaves Vault).
 */
public final class CheckpointSigner {

    public static final String KEY_NAME = KeyNames.LEDGER_SIGNING_KEY;

    private final KeyService keys;
    private final Clock clock;

    public CheckpointSigner(KeyService keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A checkpoint of {@code head} of chain {@code chainId}, signed now.
     *
     * @throws io.budgetguard.common.keys.KeyServiceException when the key service cannot sign
     */
    public Checkpoint sign(String chainId, ChainHead head) {
        if (head.seq() < 1) {
            throw new IllegalArgumentException("an empty chain has nothing to checkpoint");
        }
        Checkpoint unsigned = new Checkpoint(chainId, head.seq(), head.hash(), clock.instant(), "", 0);
        Signature signature = keys.sign(KEY_NAME, unsigned.message());
        return new Checkpoint(chainId, head.seq(), head.hash(), unsigned.signedAt(), signature.value(),
                signature.keyVersion());
    }
}
