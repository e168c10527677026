package io.budgetguard.ledger.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.common.keys.DataKey;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.Signature;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.testing.LedgerDatabase;
import io.budgetguard.ledger.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedStack.class)
class TenantDataKeysTest {

    private static LedgerDatabase db;
    private static LocalKeyService local;

    @TempDir
    static Path keyDir;

    private final AtomicInteger keyServiceCalls = new AtomicInteger();
    private MutableClock clock;
    private TenantDataKeys dataKeys;
    private Connection writer;
    private String tenant;

    @BeforeAll
    static void createDatabase() {
        db = LedgerDatabase.create("datakeys");
        local = LocalKeyService.open(keyDir, "test");
    }

    @BeforeEach
    void connect() throws SQLException {
        tenant = SharedStack.unique("acme");
        clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        dataKeys = new TenantDataKeys(counting(local), clock);
        writer = db.writer();
        writer.setAutoCommit(false);
    }

    @AfterEach
    void close() throws SQLException {
        writer.close();
    }

    /** Counts wraps and unwraps, so that a test can tell the cache works. */
    private KeyService counting(KeyService delegate) {
        return new KeyService() {
            public Signature sign(String keyName, byte[] message) {
                return delegate.sign(keyName, message);
            }

            public boolean verify(String keyName, byte[] message, String signature) {
                return delegate.verify(keyName, message, signature);
            }

            public Map<Integer, byte[]> publicKeys(String keyName) {
                return delegate.publicKeys(keyName);
            }

            public byte[] hmac(String keyName, byte[] data) {
                return delegate.hmac(keyName, data);
            }

            public DataKey newDataKey(String keyName) {
                keyServiceCalls.incrementAndGet();
                return delegate.newDataKey(keyName);
            }

            public byte[] unwrapDataKey(String keyName, String wrapped) {
                keyServiceCalls.incrementAndGet();
                return delegate.unwrapDataKey(keyName, wrapped);
            }

            public void deleteKey(String keyName) {
                delegate.deleteKey(keyName);
            }

            public Optional<Map<String, String>> readSecret(String path) {
                return delegate.readSecret(path);
            }

            public void close() {}
        };
    }

    private List<String> storedWrappedKeys() throws SQLException {
        try (Connection superuser = db.superuser(); PreparedStatement query = superuser.prepareStatement(
                "SELECT wrapped_key FROM tenant_data_keys WHERE tenant_id = ? ORDER BY key_version")) {
            query.setString(1, tenant);
            try (ResultSet rows = query.executeQuery()) {
                List<String> keys = new java.util.ArrayList<>();
                while (rows.next()) {
                    keys.add(rows.getString(1));
                }
                return keys;
            }
        }
    }

    @Test
    void shouldCreateAndStoreOnlyTheWrappedKeyOnFirstUse() throws SQLException {
        DataKeyRef key = dataKeys.forEncryption(writer, Set.of(tenant)).get(tenant);

        assertThat(key.version()).isEqualTo(1);
        assertThat(storedWrappedKeys()).singleElement().satisfies(wrapped -> {
            assertThat(wrapped).startsWith("vault:v1:");
            assertThat(local.unwrapDataKey(KeyNames.tenantDataKey(tenant), wrapped)).isEqualTo(key.key().getEncoded());
        });
    }

    @Test
    void shouldAskTheKeyServiceOnceAMinutePerTenantNotOncePerRow() throws SQLException {
        for (int i = 0; i < 100; i++) {
            dataKeys.forEncryption(writer, Set.of(tenant));
        }
        assertThat(keyServiceCalls).hasValue(1);

        clock.advance(TenantDataKeys.CACHE_TTL);
        dataKeys.forEncryption(writer, Set.of(tenant));

        assertThat(keyServiceCalls).hasValue(2);
        assertThat(storedWrappedKeys()).hasSize(1);
    }

    @Test
    void shouldFindTheSameKeyFromAnotherInstance() throws SQLException {
        DataKeyRef created = dataKeys.forEncryption(writer, Set.of(tenant)).get(tenant);

        TenantDataKeys other = new TenantDataKeys(local, clock);
        DataKeyRef found = other.forEncryption(writer, Set.of(tenant)).get(tenant);

        assertThat(found.version()).isEqualTo(created.version());
        assertThat(found.key().getEncoded()).isEqualTo(created.key().getEncoded());
    }

    @Test
    void shouldNoLongerDecryptOnceTheTenantsKeyIsErased() throws SQLException {
        DataKeyRef key = dataKeys.forEncryption(writer, Set.of(tenant)).get(tenant);
        String ciphertext = PersonalDataCipher.encrypt(key, tenant, "evt-1", PersonalDataCipher.END_USER, "alice");

        local.deleteKey(KeyNames.tenantDataKey(tenant));
        TenantDataKeys afterwards = new TenantDataKeys(local, clock);

        assertThatThrownBy(() -> afterwards.forDecryption(writer, tenant, PersonalDataCipher.keyVersion(ciphertext)))
                .isInstanceOf(DataKeyErasedException.class)
                .hasMessageContaining("erased");
    }

    @Test
    void shouldStopUsingAnErasedKeyWithinAMinuteAndStartANewOne() throws SQLException {
        DataKeyRef first = dataKeys.forEncryption(writer, Set.of(tenant)).get(tenant);
        local.deleteKey(KeyNames.tenantDataKey(tenant));

        clock.advance(Duration.ofSeconds(59));
        assertThat(dataKeys.forEncryption(writer, Set.of(tenant)).get(tenant).version()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        DataKeyRef second = dataKeys.forEncryption(writer, Set.of(tenant)).get(tenant);

        assertThat(second.version()).isEqualTo(2);
        assertThat(second.key().getEncoded()).isNotEqualTo(first.key().getEncoded());
        assertThat(storedWrappedKeys()).hasSize(2);
    }

    @Test
    void shouldLetTheReaderFindItsOwnTenantsKeysOnly() throws SQLException {
        DataKeyRef key = dataKeys.forEncryption(writer, Set.of(tenant)).get(tenant);
        TenantDataKeys reading = new TenantDataKeys(local, clock);
        try (Connection reader = db.reader()) {
            reader.setAutoCommit(false);
            try (PreparedStatement setting = reader.prepareStatement(
                    "SELECT set_config('budgetguard.tenant_id', ?, true)")) {
                setting.setString(1, "someone-else");
                setting.execute();
            }
            assertThatThrownBy(() -> reading.forDecryption(reader, tenant, key.version()))
                    .isInstanceOf(DataKeyErasedException.class);
            reader.rollback();
        }
    }
}
