package io.budgetguard.ledger.privacy;

import java.util.Objects;
import javax.crypto.SecretKey;

/** A tenant's plaintext data key (memory only) and its version in {@code tenant_data_keys}. */
public record DataKeyRef(int version, SecretKey key) {

    public DataKeyRef {
        Objects.requireNonNull(key, "key");
        if (version < 1) {
            throw new IllegalArgumentException("data key versions start at 1, was " + version);
        }
    }

    @Override
    public String toString() {
        return "DataKeyRef[v" + version + ", key hidden]";
    }
}
