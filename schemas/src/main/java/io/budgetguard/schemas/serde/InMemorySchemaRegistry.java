package io.budgetguard.schemas.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A schema registry held in memory, for topology tests and other tests that need the wire format without a server.
 * Like a real registry, one schema has one id across subjects. It checks no compatibility.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private final Map<Schema, Integer> idsBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);

    @Override
    public int register(String subject, Schema schema) {
        return idsBySchema.computeIfAbsent(schema, s -> {
            int id = nextId.getAndIncrement();
            schemasById.put(id, s);
            return id;
        });
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("Schema " + id + " not found", 404);
        }
        return schema;
    }

    @Override
    public void setCompatibility(String subject, String level) {
        // compatibility is not checked in memory
    }
}
