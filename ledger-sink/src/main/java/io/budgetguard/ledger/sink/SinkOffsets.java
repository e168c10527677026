package io.budgetguard.ledger.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The sink's Kafka positions in {@code sink_offsets}, written in the same transaction as the ledger rows they
 * produced: after a crash the sink resumes exactly after the last committed row. A partition without a row has never
 * been written and is read from the beginning.
 */
final class SinkOffsets {

    private static final String SELECT = "SELECT partition, next_offset FROM sink_offsets "
            + "WHERE consumer_group = ? AND topic = ? AND partition = ANY (?)";
    private static final String UPSERT = "INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset) "
            + "SELECT ?, ?, p, o FROM unnest(?::integer[], ?::bigint[]) AS t (p, o) "
            + "ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset";

    private final String consumerGroup;
    private final String topic;

    SinkOffsets(String consumerGroup, String topic) {
        this.consumerGroup = consumerGroup;
        this.topic = topic;
    }

    /** Stored next offsets of {@code partitions}; a partition without a row is absent from the map. */
    Map<Integer, Long> load(Connection connection, Collection<Integer> partitions) throws SQLException {
        return select(connection, partitions, SELECT);
    }

    /**
     * Like {@link #load} but locks the rows until the transaction ends, so that two sink instances that both believe
     * they own a partition (during a rebalance) cannot both commit from the same position.
     */
    Map<Integer, Long> lock(Connection connection, Collection<Integer> partitions) throws SQLException {
        return select(connection, partitions, SELECT + " ORDER BY partition FOR UPDATE");
    }

    void save(Connection connection, Map<Integer, Long> nextOffsets) throws SQLException {
        if (nextOffsets.isEmpty()) {
            return;
        }
        Integer[] partitions = nextOffsets.keySet().toArray(Integer[]::new);
        Long[] offsets = new Long[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            offsets[i] = nextOffsets.get(partitions[i]);
        }
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            upsert.setString(1, consumerGroup);
            upsert.setString(2, topic);
            upsert.setArray(3, connection.createArrayOf("integer", partitions));
            upsert.setArray(4, connection.createArrayOf("bigint", offsets));
            upsert.executeUpdate();
        }
    }

    private Map<Integer, Long> select(Connection connection, Collection<Integer> partitions, String sql)
            throws SQLException {
        Map<Integer, Long> stored = new HashMap<>();
        if (partitions.isEmpty()) {
            return stored;
        }
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            Array array = connection.createArrayOf("integer", partitions.toArray(Integer[]::new));
            query.setString(1, consumerGroup);
            query.setString(2, topic);
            query.setArray(3, array);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    stored.put(rows.getInt(1), rows.getLong(2));
                }
            }
        }
        return stored;
    }
}
