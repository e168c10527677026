package io.budgetguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeFramingTest {

    @Test
    void shouldStartWithMagicByteZeroAndTheRegisteredIdBigEndian() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class, registry);
        int id = registry.register("usage.events.v1-value", UsageEvent.getClassSchema());

        byte[] bytes = serde.serialize("usage.events.v1", SampleRecords.of(UsageEvent.class));

        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    }

    @Test
    void shouldWriteTheIdMostSignificantByteFirst() {
        SchemaRegistry fixedId = new FixedIdRegistry(0x01020304);
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class, fixedId);

        byte[] bytes = serde.serialize("usage.events.v1", SampleRecords.of(UsageEvent.class));

        assertThat(new byte[] {bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]})
                .containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void shouldRoundTripThroughTheInMemoryRegistry() {
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class, new InMemorySchemaRegistry());
        UsageEvent event = SampleRecords.of(UsageEvent.class);

        assertThat(serde.deserialize("usage.events.v1", serde.serialize("usage.events.v1", event))).isEqualTo(event);
    }

    @Test
    void shouldRefuseBytesWithoutTheMagicByte() {
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class, new InMemorySchemaRegistry());

        assertThatThrownBy(() -> serde.deserialize("usage.events.v1", new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("wire format");
    }

    @Test
    void shouldRefuseBytesShorterThanTheHeader() {
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class, new InMemorySchemaRegistry());

        assertThatThrownBy(() -> serde.deserialize("usage.events.v1", new byte[] {0, 0}))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldRefuseACostWithMoreThanNineFractionDigits() {
        AvroSerde<PricedUsage> serde = AvroSerde.of(PricedUsage.class, new InMemorySchemaRegistry());
        PricedUsage priced = SampleRecords.of(PricedUsage.class);
        priced.setCostUsd(new BigDecimal("0.0000000001"));

        assertThatThrownBy(() -> serde.serialize("usage.priced.v1", priced))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldPadACostWithFewerFractionDigitsToNine() {
        AvroSerde<PricedUsage> serde = AvroSerde.of(PricedUsage.class, new InMemorySchemaRegistry());
        PricedUsage priced = SampleRecords.of(PricedUsage.class);
        priced.setCostUsd(new BigDecimal("1.5"));

        PricedUsage decoded = serde.deserialize("usage.priced.v1", serde.serialize("usage.priced.v1", priced));

        assertThat(decoded.getCostUsd()).isEqualTo(new BigDecimal("1.500000000"));
    }

    @Test
    void shouldMapNullToNullBothWays() {
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class, new InMemorySchemaRegistry());

        assertThat(serde.serialize("usage.events.v1", null)).isNull();
        assertThat(serde.deserialize("usage.events.v1", null)).isNull();
    }

    /** Answers one id for every schema, to pin the byte order of the id. */
    private record FixedIdRegistry(int id) implements SchemaRegistry {
        @Override
        public int register(String subject, Schema schema) {
            return id;
        }

        @Override
        public Schema schemaById(int requested) {
            return UsageEvent.getClassSchema();
        }

        @Override
        public void setCompatibility(String subject, String level) {}
    }
}
