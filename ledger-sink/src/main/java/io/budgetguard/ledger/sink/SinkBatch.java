package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.audit.AuditRecord;
import io.budgetguard.ledger.chain.EntryContent;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One poll's worth of records: the ledger entries to append (priced usage, in partition-then-offset order), the audit
 * records (alerts and control-plane changes, in the same order), and where each partition's reading resumes after it
 * ({@code nextOffsets}: the consumer's position after the poll, past the last record and any transaction markers).
 */
record SinkBatch(List<EntryContent> contents, List<AuditRecord> auditRecords, Map<TopicPartition, Long> nextOffsets) {

    SinkBatch {
        contents = List.copyOf(contents);
        auditRecords = List.copyOf(auditRecords);
        nextOffsets = Map.copyOf(nextOffsets);
    }

    /** A batch of ledger entries only. */
    SinkBatch(List<EntryContent> contents, Map<TopicPartition, Long> nextOffsets) {
        this(contents, List.of(), nextOffsets);
    }
}
