package io.budgetguard.ingest.usage;

/** Where validation reports an invalid field of the event being read. */
@FunctionalInterface
interface FieldErrorSink {
    void add(String field, String message);
}
