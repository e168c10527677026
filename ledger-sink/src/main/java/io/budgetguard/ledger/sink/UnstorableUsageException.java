package io.budgetguard.ledger.sink;

/**
 * A priced usage record that cannot become a ledger entry (a missing field, U+0000, a cost with more than 9 fraction
 * digits). Upstream validation makes this a bug, and the ledger never skips an event silently: the sink stops at the
 * record and retries with backoff, readiness goes down, and the error names the partition and offset.
 */
final class UnstorableUsageException extends RuntimeException {

    UnstorableUsageException(int partition, long offset, String problem) {
        super("Record at partition " + partition + " offset " + offset + " cannot be stored in the ledger: " + problem);
    }
}
