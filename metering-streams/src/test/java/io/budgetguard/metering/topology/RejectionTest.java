package io.budgetguard.metering.topology;

import static io.budgetguard.metering.testing.Fixtures.event;
import static io.budgetguard.metering.testing.Fixtures.testModelPrice;
import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RejectionTest {

    private static final Instant MAR_10 = Instant.parse("2026-03-10T12:00:00Z");
    private MeteringDriver metering;

    @BeforeEach
    void start() {
        metering = new MeteringDriver().price(testModelPrice("v1", Instant.parse("2026-01-01T00:00:00Z")));
    }

    @AfterEach
    void close() {
        metering.close();
    }

    @Test
    void shouldRejectAnUndecodableRecordWithTheReasonAndKeepGoing() {
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);

        metering.sendRaw("acme", garbage, MAR_10).send(event("acme", "good", MAR_10.plusSeconds(1), 1000));

        assertThat(metering.rejected()).singleElement().satisfies(rejected -> {
            assertThat(rejected.getTenantId()).isEqualTo("acme");
            assertThat(rejected.getReason()).startsWith("undecodable: ").contains("wire format");
            assertThat(rejected.getSourceTopic()).isEqualTo("usage.events.v1");
            assertThat(rejected.getSourceOffset()).isZero();
            assertThat(rejected.getPayload()).isEqualTo(ByteBuffer.wrap(garbage));
        });
        assertThat(metering.priced()).extracting(PricedUsage::getEventId).containsExactly("good");
        assertThat(metering.counter(MeteringMetrics.REJECTED)).isEqualTo(1.0);
    }

    @Test
    void shouldRejectARecordNamingASchemaIdTheRegistryDoesNotKnow() {
        byte[] unknownSchema = {0, 0, 0, 0x7f, 0x7f, 2, 4, 6};

        metering.sendRaw("acme", unknownSchema, MAR_10);

        assertThat(metering.rejected()).singleElement()
                .satisfies(rejected -> assertThat(rejected.getReason()).startsWith("undecodable: "));
    }

    @Test
    void shouldRejectARecordWithoutValue() {
        metering.sendRaw("acme", null, MAR_10);

        assertThat(metering.rejected()).singleElement()
                .satisfies(rejected -> assertThat(rejected.getReason()).contains("no value"));
    }

    @Test
    void shouldRejectAnEventWhoseRecordKeyIsNotItsTenant() {
        UsageEvent event = event("acme", "evt-1", MAR_10, 1000);

        metering.sendRaw("globex", metering.encode(event), MAR_10);

        assertThat(metering.rejected()).singleElement().satisfies(rejected -> {
            assertThat(rejected.getTenantId()).isEqualTo("globex");
            assertThat(rejected.getReason()).startsWith("invalid: ").contains("'globex'", "'acme'");
        });
        assertThat(metering.priced()).isEmpty();
    }

    @Test
    void shouldRejectAnEventWithNegativeTokens() {
        metering.send(UsageEvent.newBuilder(event("acme", "evt-1", MAR_10, 1000)).setOutputTokens(-1).build());

        assertThat(metering.rejected()).singleElement()
                .satisfies(rejected -> assertThat(rejected.getReason()).contains("negative"));
        assertThat(metering.priced()).isEmpty();
    }
}
