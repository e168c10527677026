package io.budgetguard.ledger.sink;

import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServices;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.common.keys.vault.VaultKeyService;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;

/** Opens the key service a {@link LedgerSinkConfig} selects. */
final class SinkKeys {

    private SinkKeys() {}

    static KeyService open(KeyServices.Selection selection) {
        return switch (selection.kind()) {
            case VAULT -> VaultKeyService.connect(selection.vault());
            case LOCAL -> LocalKeyService.open(selection.localDirectory(), selection.budgetguardEnv());
        };
    }

    /**
     * A local key service creates keys on first use, but the public keys are served before anything is signed, so the
     * signing key is created up front. In Vault it is created by {@code infra/vault/setup.sh}, never by the sink.
     */
    static void prepare(KeyService keys) {
        if (keys instanceof LocalKeyService local) {
            local.createKey(CheckpointSigner.KEY_NAME, LocalKeyService.KeyType.ED25519);
        }
    }
}
