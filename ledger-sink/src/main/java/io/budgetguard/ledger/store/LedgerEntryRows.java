package io.budgetguard.ledger.store;

import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.LedgerEntry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Reads {@code ledger_entries} rows selected with {@link LedgerColumns#ALL}. */
public final class LedgerEntryRows {

    private LedgerEntryRows() {}

    /**
     * The entry in the current row.
     *
     * @throws MalformedLedgerRowException when the row cannot be an entry (a NULL, a hash that is not 32 bytes...)
     */
    public static LedgerEntry read(ResultSet row) throws SQLException {
        try {
            return entry(row);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedLedgerRowException(row.getString("tenant_id"), row.getLong("seq"),
                    row.getString("event_id"), e.getMessage(), e);
        }
    }

    private static LedgerEntry entry(ResultSet row) throws SQLException {
        return new LedgerEntry(
                row.getString("tenant_id"),
                row.getLong("seq"),
                row.getString("event_id"),
                row.getString("api_key_id"),
                instant(row, "occurred_at"),
                instant(row, "received_at"),
                instant(row, "recorded_at"),
                row.getString("provider"),
                row.getString("model"),
                row.getLong("input_tokens"),
                row.getLong("cached_input_tokens"),
                row.getLong("cache_write_tokens"),
                row.getLong("output_tokens"),
                row.getLong("reasoning_tokens"),
                row.getBigDecimal("cost_usd"),
                row.getString("price_version"),
                row.getString("end_user_ct"),
                row.getString("metadata_ct"),
                row.getInt("source_partition"),
                row.getLong("source_offset"),
                hash(row, "prev_hash"),
                hash(row, "entry_hash"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static ChainHash hash(ResultSet row, String column) throws SQLException {
        byte[] bytes = row.getBytes(column);
        if (bytes == null || bytes.length != ChainHash.LENGTH) {
            throw new IllegalArgumentException(column + " is not " + ChainHash.LENGTH + " bytes");
        }
        return ChainHash.of(bytes);
    }
}
