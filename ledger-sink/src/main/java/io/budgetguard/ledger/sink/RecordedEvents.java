package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.EntryContent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of a batch's events the ledger already holds. metering-streams deduplicates, but it can emit an event again (a
 * restored or expired dedup store), and the ledger must still hold each event once. An event is identified as the
 * ledger's unique index identifies it, by (tenant_id, event_id, occurred_at) (D32): a re-emitted event carries its
 * occurred_at, and matching on it keeps this second pass and the index in agreement (and lets the lookup probe only
 * the partitions of the batch's months).
 */
final class RecordedEvents {

    private static final String EXISTING = "SELECT e.tenant_id, e.event_id, e.occurred_at FROM ledger_entries e "
            + "JOIN unnest(?::text[], ?::text[], ?::text[]::timestamptz[]) AS c (tenant_id, event_id, occurred_at) "
            + "ON e.tenant_id = c.tenant_id AND e.event_id = c.event_id AND e.occurred_at = c.occurred_at";

    private RecordedEvents() {}

    /** The keys among {@code candidates} that are already in the ledger. */
    static Set<EventKey> existing(Connection connection, List<EventKey> candidates) throws SQLException {
        Set<EventKey> existing = new HashSet<>();
        if (candidates.isEmpty()) {
            return existing;
        }
        String[] tenants = new String[candidates.size()];
        String[] events = new String[candidates.size()];
        String[] occurred = new String[candidates.size()];
        for (int i = 0; i < tenants.length; i++) {
            tenants[i] = candidates.get(i).tenantId();
            events[i] = candidates.get(i).eventId();
            occurred[i] = candidates.get(i).occurredAt().toString();
        }
        try (PreparedStatement query = connection.prepareStatement(EXISTING)) {
            query.setArray(1, connection.createArrayOf("text", tenants));
            query.setArray(2, connection.createArrayOf("text", events));
            query.setArray(3, connection.createArrayOf("text", occurred));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    existing.add(new EventKey(rows.getString(1), rows.getString(2),
                            rows.getObject(3, OffsetDateTime.class).toInstant()));
                }
            }
        }
        return existing;
    }

    /** The ledger's idempotency key: occurred_at is stored at millisecond precision, as hashed. */
    record EventKey(String tenantId, String eventId, Instant occurredAt) {

        static EventKey of(EntryContent content) {
            return new EventKey(content.tenantId(), content.eventId(), content.occurredAt());
        }
    }
}
