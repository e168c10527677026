package io.budgetguard.ledger.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's Kafka positions in {@code sink_offsets}, written in the same transaction as the ledger and audit rows
 * they produced: after a crash the sink resumes exactly after the last committed row. A partition without a row has
 * never been written and is read from the beginning.
 */
final class SinkOffsets {

    private static final String SELECT = "SELECT s.topic, s.partition, s.next_offset FROM sink_offsets s "
            + "JOIN unnest(?::text[], ?::integer[]) AS t (topic, partition) "
            + "ON s.topic = t.topic AND s.partition = t.partition WHERE s.consumer_group = ?";
    private static final String UPSERT = "INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset) "
            + "SELECT ?, t, p, o FROM unnest(?::text[], ?::integer[], ?::bigint[]) AS x (t, p, o) "
            + "ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset";

    private final String consumerGroup;

    SinkOffsets(String consumerGroup) {
        this.consumerGroup = consumerGroup;
    }

    /** Stored next offsets of {@code partitions}; a partition without a row is absent from the map. */
    Map<TopicPartition, Long> load(Connection connection, Collection<TopicPartition> partitions) throws SQLException {
        return select(connection, partitions, SELECT);
    }

    /**
     * Like {@link #load} but locks the rows until the transaction ends, so that two sink instances that both believe
     * they own a partition (during a rebalance) cannot both commit from the same position.
     */
    Map<TopicPartition, Long> lock(Connection connection, Collection<TopicPartition> partitions) throws SQLException {
        return select(connection, partitions, SELECT + " ORDER BY s.topic, s.partition FOR UPDATE OF s");
    }

    void save(Connection connection, Map<TopicPartition, Long> nextOffsets) throws SQLException {
        if (nextOffsets.isEmpty()) {
            return;
        }
        List<TopicPartition> partitions = List.copyOf(nextOffsets.keySet());
        String[] topics = new String[partitions.size()];
        Integer[] numbers = new Integer[partitions.size()];
        Long[] offsets = new Long[partitions.size()];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = partitions.get(i).topic();
            numbers[i] = partitions.get(i).partition();
            offsets[i] = nextOffsets.get(partitions.get(i));
        }
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            upsert.setString(1, consumerGroup);
            upsert.setArray(2, connection.createArrayOf("text", topics));
            upsert.setArray(3, connection.createArrayOf("integer", numbers));
            upsert.setArray(4, connection.createArrayOf("bigint", offsets));
            upsert.executeUpdate();
        }
    }

    private Map<TopicPartition, Long> select(Connection connection, Collection<TopicPartition> partitions, String sql)
            throws SQLException {
        Map<TopicPartition, Long> stored = new HashMap<>();
        if (partitions.isEmpty()) {
            return stored;
        }
        String[] topics = partitions.stream().map(TopicPartition::topic).toArray(String[]::new);
        Integer[] numbers = partitions.stream().map(TopicPartition::partition).toArray(Integer[]::new);
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setArray(1, connection.createArrayOf("text", topics));
            query.setArray(2, connection.createArrayOf("integer", numbers));
            query.setString(3, consumerGroup);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    stored.put(new TopicPartition(rows.getString(1), rows.getInt(2)), rows.getLong(3));
                }
            }
        }
        return stored;
    }
}
