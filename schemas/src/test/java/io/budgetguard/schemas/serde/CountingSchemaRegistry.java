package io.budgetguard.schemas.serde;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/** Wraps a registry and counts the calls that reach it, to show what the serde caches. */
final class CountingSchemaRegistry implements SchemaRegistry {

    private final SchemaRegistry delegate;
    final AtomicInteger registerCalls = new AtomicInteger();
    final AtomicInteger schemaByIdCalls = new AtomicInteger();

    CountingSchemaRegistry(SchemaRegistry delegate) {
        this.delegate = delegate;
    }

    @Override
    public int register(String subject, Schema schema) {
        registerCalls.incrementAndGet();
        return delegate.register(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
        schemaByIdCalls.incrementAndGet();
        return delegate.schemaById(id);
    }

    @Override
    public void setCompatibility(String subject, String level) {
        delegate.setCompatibility(subject, level);
    }
}
