package io.budgetguard.ledger.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.privacy.DataKeyRef;
import io.budgetguard.ledger.privacy.PersonalDataCipher;
import io.budgetguard.ledger.testing.Fixtures;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PricedUsageMapperTest {

    private static final DataKeyRef KEY = new DataKeyRef(3, new SecretKeySpec(new byte[32], "AES"));
    private static final Map<String, DataKeyRef> KEYS = Map.of("acme", KEY);

    private final PricedUsageMapper mapper = new PricedUsageMapper();

    @Test
    void shouldCopyEveryLedgerFieldAndTheSourcePosition() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1").build(), 3, 42, KEYS);

        assertThat(content).isEqualTo(new EntryContent("acme", "evt-1", "k0123456789abcde", Fixtures.OCCURRED,
                Fixtures.OCCURRED.plusMillis(40), "openai", "gpt-4o", 1000, 200, 0, 300, 0, new BigDecimal("0.005750000"),
                "2025-03-01", "", "", 3, 42));
    }

    @Test
    void shouldKeepAnUnpricedEventWithAnEmptyPriceVersion() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1").setUnpriced(true).setPriceVersion("")
                .setCostUsd(new BigDecimal("0.000000000")).build(), 0, 0, KEYS);

        assertThat(content.priceVersion()).isEmpty();
        assertThat(content.costUsd()).isEqualByComparingTo("0");
    }

    @Test
    void shouldStoreEndUserAndMetadataOnlyEncryptedWithTheTenantsDataKey() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1").setEndUser("alice@example.com")
                .setMetadata(Map.of("customer", "Alice Example", "a", "first")).build(), 0, 0, KEYS);

        assertThat(content.endUserCt()).startsWith("v1:3:").doesNotContain("alice");
        assertThat(content.metadataCt()).startsWith("v1:3:").doesNotContain("Alice");
        assertThat(PersonalDataCipher.decrypt(KEY.key(), "acme", "evt-1", PersonalDataCipher.END_USER,
                content.endUserCt())).isEqualTo("alice@example.com");
        assertThat(PersonalDataCipher.decrypt(KEY.key(), "acme", "evt-1", PersonalDataCipher.METADATA,
                content.metadataCt())).isEqualTo("{\"a\":\"first\",\"customer\":\"Alice Example\"}");
        assertThat(mapper.personalDataEncrypted()).isEqualTo(1);
    }

    @Test
    void shouldLeaveTheCiphertextsEmptyWithoutPersonalData() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1").build(), 0, 0, Map.of());

        assertThat(content.endUserCt()).isEmpty();
        assertThat(content.metadataCt()).isEmpty();
        assertThat(PricedUsageMapper.hasPersonalData(Fixtures.priced("acme", "evt-1").build())).isFalse();
    }

    @Test
    void shouldTruncateOccurredAtToMilliseconds() {
        EntryContent content = mapper.map(Fixtures.priced("acme", "evt-1")
                .setOccurredAt(Instant.parse("2025-03-01T12:00:00.123456Z")).build(), 0, 0, KEYS);

        assertThat(content.occurredAt()).isEqualTo(Instant.parse("2025-03-01T12:00:00.123Z"));
    }

    @Test
    void shouldRefuseATextPostgresqlCannotStore() {
        assertThatThrownBy(() -> mapper.map(Fixtures.priced("acme", "evt-1").setModel("gpt\u0000x").build(), 2, 7, KEYS))
                .isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("partition 2 offset 7")
                .hasMessageContaining("model");
    }

    @Test
    void shouldRefuseALoneSurrogate() {
        assertThatThrownBy(() -> mapper.map(Fixtures.priced("acme", "evt-1").setModel("gpt\ud800").build(), 0, 0, KEYS))
                .isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("lone surrogate");
    }

    @Test
    void shouldRefuseACostWithMoreThanNineFractionDigits() {
        assertThatThrownBy(() -> mapper.map(Fixtures.priced("acme", "evt-1")
                .setCostUsd(new BigDecimal("0.0000000001")).build(), 0, 0, KEYS))
                .isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("fraction digits");
    }

    @Test
    void shouldRefuseATombstone() {
        assertThatThrownBy(() -> mapper.map(null, 1, 9, KEYS)).isInstanceOf(UnstorableUsageException.class)
                .hasMessageContaining("tombstone");
    }
}
