package io.budgetguard.common.auth;

import io.budgetguard.common.secrets.Secrets;
import java.util.Objects;

/**
 * A tenant API key split into its public id and its secret. {@link #token()} is the form a client presents,
 * {@code bg_<key_id>.<secret>}. {@link #toString()} masks the secret, so a key that reaches a log stays safe.
 */
public record PresentedKey(String keyId, String secret) {

    public PresentedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(secret, "secret");
    }

    /** The whole key as a client sends it in {@code Authorization: Bearer …}. */
    public String token() {
        return ApiKeys.PREFIX + keyId + ApiKeys.SEPARATOR + secret;
    }

    @Override
    public String toString() {
        return "PresentedKey[keyId=" + keyId + ", secret=" + Secrets.mask(secret) + "]";
    }
}
