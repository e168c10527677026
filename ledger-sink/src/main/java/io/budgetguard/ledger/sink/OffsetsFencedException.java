package io.budgetguard.ledger.sink;

import org.apache.kafka.common.TopicPartition;

/**
 * The stored offsets of a partition are not where this instance left them: another instance wrote that partition
 * (a rebalance overlap). The batch is rolled back and the sink re-reads from the stored offsets.
 */
final class OffsetsFencedException extends RuntimeException {

    OffsetsFencedException(TopicPartition partition, Long expected, Long stored) {
        super("sink_offsets of " + partition + " moved: expected " + describe(expected) + ", found "
                + describe(stored) + " (another sink instance wrote this partition)");
    }

    private static String describe(Long offset) {
        return offset == null ? "no row" : "next_offset " + offset;
    }
}
