package io.budgetguard.ledger.store;

import io.budgetguard.ledger.audit.AuditEntry;
import io.budgetguard.ledger.chain.ChainHash;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/** Reads {@code audit_log} rows selected with {@link #COLUMNS}. */
public final class AuditEntryRows {

    public static final String COLUMNS = "tenant_id, seq, at, actor, action, subject, details, prev_hash, entry_hash";

    private AuditEntryRows() {}

    /**
     * The entry in the current row.
     *
     * @throws MalformedLedgerRowException when the row cannot be an entry (a NULL, a hash that is not 32 bytes...)
     */
    public static AuditEntry read(ResultSet row) throws SQLException {
        try {
            OffsetDateTime at = row.getObject("at", OffsetDateTime.class);
            return new AuditEntry(row.getString("tenant_id"), row.getLong("seq"), at == null ? null : at.toInstant(),
                    row.getString("actor"), row.getString("action"), row.getString("subject"),
                    row.getString("details"), ChainHash.of(row.getBytes("prev_hash")),
                    ChainHash.of(row.getBytes("entry_hash")));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedLedgerRowException(row.getString("tenant_id"), row.getLong("seq"),
                    row.getString("action") + " " + row.getString("subject"), e.getMessage(), e);
        }
    }
}
