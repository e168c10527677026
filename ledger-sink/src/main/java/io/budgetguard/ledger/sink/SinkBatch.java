package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.EntryContent;
import java.util.List;
import java.util.Map;

/**
 * One poll's worth of records, in partition-then-offset order, and where each partition's reading resumes after it
 * ({@code nextOffsets}: partition → the consumer's position after the poll, past the last record and any transaction
 * markers).
 */
record SinkBatch(List<EntryContent> contents, Map<Integer, Long> nextOffsets) {

    SinkBatch {
        contents = List.copyOf(contents);
        nextOffsets = Map.copyOf(nextOffsets);
    }
}
