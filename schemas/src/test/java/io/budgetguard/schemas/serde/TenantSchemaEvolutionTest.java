package io.budgetguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.schemas.control.Tenant;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * {@code control.tenants.v1} gained {@code rate_limit_requests_per_s} after records had been written: the new schema
 * must read them (BACKWARD, what {@code SchemaBootstrap} sets on every subject), the new field reading as null.
 */
class TenantSchemaEvolutionTest {

    /** Tenant.avsc before rate_limit_requests_per_s (docs dropped). */
    static final Schema BEFORE = new Schema.Parser().parse("""
            {"type":"record","name":"Tenant","namespace":"io.budgetguard.schemas.control","fields":[
              {"name":"tenant_id","type":"string"},
              {"name":"name","type":"string"},
              {"name":"status","type":"string"},
              {"name":"rate_limit_events_per_s","type":["null","int"],"default":null},
              {"name":"created_at","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"updated_at","type":{"type":"long","logicalType":"timestamp-millis"}}]}""");

    @Test
    void theCurrentSchemaReadsRecordsWrittenBeforeTheRequestsLimitExisted() throws Exception {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(Tenant.getClassSchema(), BEFORE).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);

        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        int oldId = registry.register("control.tenants.v1-value", BEFORE);
        GenericRecord old = new GenericData.Record(BEFORE);
        old.put("tenant_id", "acme");
        old.put("name", "Acme");
        old.put("status", "active");
        old.put("rate_limit_events_per_s", 500);
        old.put("created_at", 1_700_000_000_000L);
        old.put("updated_at", 1_700_000_000_000L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (oldId >>> 24), (byte) (oldId >>> 16), (byte) (oldId >>> 8), (byte) oldId});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(BEFORE).write(old, encoder);
        encoder.flush();

        Tenant read = AvroSerde.of(Tenant.class, registry).deserialize("control.tenants.v1", out.toByteArray());

        assertThat(read.getRateLimitEventsPerS()).isEqualTo(500);
        assertThat(read.getRateLimitRequestsPerS()).isNull();
        assertThat(read.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    }
}
