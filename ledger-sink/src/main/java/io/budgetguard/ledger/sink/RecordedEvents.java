package io.budgetguard.ledger.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of a batch's (tenant, event_id) pairs the ledger already holds. metering-streams deduplicates, but it can
 * emit an event again (a restored or expired dedup store), and the ledger must still hold each event once.
 */
final class RecordedEvents {

    private static final String EXISTING = "SELECT e.tenant_id, e.event_id FROM ledger_entries e "
            + "JOIN unnest(?::text[], ?::text[]) AS c (tenant_id, event_id) "
            + "ON e.tenant_id = c.tenant_id AND e.event_id = c.event_id";

    private RecordedEvents() {}

    /** The pairs among {@code candidates} that are already in the ledger. */
    static Set<EventKey> existing(Connection connection, List<EventKey> candidates) throws SQLException {
        Set<EventKey> existing = new HashSet<>();
        if (candidates.isEmpty()) {
            return existing;
        }
        String[] tenants = new String[candidates.size()];
        String[] events = new String[candidates.size()];
        for (int i = 0; i < tenants.length; i++) {
            tenants[i] = candidates.get(i).tenantId();
            events[i] = candidates.get(i).eventId();
        }
        try (PreparedStatement query = connection.prepareStatement(EXISTING)) {
            query.setArray(1, connection.createArrayOf("text", tenants));
            query.setArray(2, connection.createArrayOf("text", events));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    existing.add(new EventKey(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return existing;
    }

    /** The ledger's idempotency key. */
    record EventKey(String tenantId, String eventId) {}
}
