package io.budgetguard.ledger.chain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code entry_hash = SHA-256(prev_hash ‖ canonical)} (PRODUCT.md §5). Safe from any thread (one digest per thread).
 */
public final class EntryHasher {

    private EntryHasher() {}

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(EntryHasher::newSha256);

    /**
     * The canonical array of {@code entry}'s hashed fields, UTF-8: the same bytes as
     * {@code CanonicalJson.array(entry.canonicalFields())}, written without the intermediate list (the sink hashes
     * every entry, so this is on its hot path). Numbers and timestamps need no escaping.
     */
    public static byte[] canonical(LedgerEntry e) {
        StringBuilder out = new StringBuilder(320);
        out.append("[\"v1\",");
        CanonicalJson.appendString(out, e.tenantId());
        out.append(",\"").append(e.seq()).append("\",");
        CanonicalJson.appendString(out, e.eventId());
        out.append(',');
        CanonicalJson.appendString(out, e.apiKeyId());
        out.append(",\"");
        LedgerFormats.appendTimestamp(out, e.occurredAt());
        out.append("\",");
        CanonicalJson.appendString(out, e.provider());
        out.append(',');
        CanonicalJson.appendString(out, e.model());
        out.append(",\"").append(e.inputTokens())
                .append("\",\"").append(e.cachedInputTokens())
                .append("\",\"").append(e.cacheWriteTokens())
                .append("\",\"").append(e.outputTokens())
                .append("\",\"").append(e.reasoningTokens())
                .append("\",\"").append(LedgerFormats.cost(e.costUsd()))
                .append("\",");
        CanonicalJson.appendString(out, e.priceVersion());
        out.append(',');
        CanonicalJson.appendString(out, e.endUserCt());
        out.append(',');
        CanonicalJson.appendString(out, e.metadataCt());
        return out.append(']').toString().getBytes(StandardCharsets.UTF_8);
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
        MessageDigest sha256 = SHA256.get();
        sha256.reset();
        sha256.update(prevHash.unsafeBytes());
        sha256.update(canonical);
        return ChainHash.wrap(sha256.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
