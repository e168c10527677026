package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Reads the newest entry of each tenant's chain, one index probe per tenant, all tenants in one query. */
final class ChainHeads {

    private static final String HEADS = "SELECT t.tenant_id, h.seq, h.entry_hash FROM unnest(?::text[]) AS t (tenant_id) "
            + "LEFT JOIN LATERAL (SELECT e.seq, e.entry_hash FROM ledger_entries e WHERE e.tenant_id = t.tenant_id "
            + "ORDER BY e.seq DESC LIMIT 1) h ON true";

    private ChainHeads() {}

    /** The head of every tenant in {@code tenantIds}; {@link ChainHead#EMPTY} for a tenant without entries. */
    static Map<String, ChainHead> read(Connection connection, Collection<String> tenantIds) throws SQLException {
        Map<String, ChainHead> heads = new HashMap<>();
        if (tenantIds.isEmpty()) {
            return heads;
        }
        try (PreparedStatement query = connection.prepareStatement(HEADS)) {
            query.setArray(1, connection.createArrayOf("text", tenantIds.toArray(String[]::new)));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    byte[] hash = rows.getBytes(3);
                    heads.put(rows.getString(1),
                            hash == null ? ChainHead.EMPTY : new ChainHead(rows.getLong(2), ChainHash.of(hash)));
                }
            }
        }
        return heads;
    }
}
