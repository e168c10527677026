package io.budgetguard.schemas.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API BudgetGuard needs. Implementations cache: a schema id never
 * changes meaning, and registering the same schema under the same subject always returns the same id.
 */
public interface SchemaRegistry {

    /** Registers (or finds) {@code schema} under {@code subject} and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);

    /** Sets the subject's compatibility level, e.g. {@code BACKWARD}. */
    void setCompatibility(String subject, String level);
}
