package io.budgetguard.ledger.chain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code entry_hash = SHA-256(prev_hash ‖ canonical)} (PRODUCT.md §5). Stateless; every call uses its own digest, so
 * it is safe from any thread.
 */
public final class EntryHasher {

    private EntryHasher() {}

    /** The canonical array of {@code entry}'s hashed fields, UTF-8. */
    public static byte[] canonical(LedgerEntry entry) {
        return CanonicalJson.array(entry.canonicalFields());
    }

    /** The hash {@code entry} must have: SHA-256 of its {@code prevHash} followed by its canonical bytes. */
    public static ChainHash expectedHash(LedgerEntry entry) {
        return hash(entry.prevHash(), canonical(entry));
    }

    /** True when {@code entry.entryHash()} is the hash of its content and {@code prevHash}. */
    public static boolean matches(LedgerEntry entry) {
        return expectedHash(entry).equals(entry.entryHash());
    }

    public static ChainHash hash(ChainHash prevHash, byte[] canonical) {
        MessageDigest sha256 = sha256();
        sha256.update(prevHash.unsafeBytes());
        sha256.update(canonical);
        return ChainHash.of(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
