package io.budgetguard.ledger.privacy;

import io.budgetguard.common.keys.DataKey;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyNotFoundException;
import io.budgetguard.common.keys.KeyService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-tenant data keys for envelope encryption: a random AES-256 key per tenant, stored in {@code tenant_data_keys}
 * only wrapped by the tenant's key-service key ({@link KeyNames#tenantDataKey}), kept unwrapped in memory for a minute
 * so that the key service is asked about once a minute per tenant, not once per row. The minute is also how long a
 * running sink may keep using a key after {@code budgetguard tenant erase} destroyed its wrapping key; after that the
 * unwrap fails and the tenant's next events get a new data key under a new wrapping key.
 */
public final class TenantDataKeys {

    private static final Logger LOG = LoggerFactory.getLogger(TenantDataKeys.class);
    public static final Duration CACHE_TTL = Duration.ofMinutes(1);

    private static final String NEWEST = "SELECT DISTINCT ON (tenant_id) tenant_id, key_version, wrapped_key "
            + "FROM tenant_data_keys WHERE tenant_id = ANY (?) ORDER BY tenant_id, key_version DESC";
    private static final String ONE = "SELECT wrapped_key FROM tenant_data_keys WHERE tenant_id = ? AND key_version = ?";
    private static final String INSERT = "INSERT INTO tenant_data_keys (tenant_id, key_version, wrapped_key) "
            + "VALUES (?, ?, ?) ON CONFLICT (tenant_id, key_version) DO NOTHING";

    private record Cached(DataKeyRef ref, Instant loadedAt) {}

    private record Stored(int version, String wrapped) {}

    private final KeyService keys;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> current = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Cached> byVersion = new ConcurrentHashMap<>();

    public TenantDataKeys(KeyService keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The key to encrypt with for each of {@code tenants}, creating (and committing, on {@code connection}) a data key
     * for a tenant that has none or whose key was erased. Must be called outside any transaction of the caller's.
     *
     * @throws io.budgetguard.common.keys.KeyServiceException when the key service cannot unwrap or create a key
     */
    public Map<String, DataKeyRef> forEncryption(Connection connection, Collection<String> tenants)
            throws SQLException {
        Map<String, DataKeyRef> found = new HashMap<>();
        Instant now = clock.instant();
        for (String tenant : tenants) {
            Cached cached = current.get(tenant);
            if (cached != null && fresh(cached, now)) {
                found.put(tenant, cached.ref());
            }
        }
        if (found.size() == tenants.size()) {
            return found;
        }
        Map<String, Stored> newest = newest(connection,
                tenants.stream().filter(t -> !found.containsKey(t)).toArray(String[]::new));
        connection.commit();
        for (String tenant : tenants) {
            if (found.containsKey(tenant)) {
                continue;
            }
            Stored stored = newest.get(tenant);
            DataKeyRef ref = null;
            if (stored != null) {
                try {
                    ref = unwrap(tenant, stored);
                } catch (KeyNotFoundException e) {
                    LOG.info("The key of tenant {} was erased: its next events get a new data key", tenant);
                }
            }
            if (ref == null) {
                ref = create(connection, tenant, stored == null ? 1 : stored.version() + 1);
            }
            current.put(tenant, new Cached(ref, now));
            byVersion.put(versionKey(tenant, ref.version()), new Cached(ref, now));
            found.put(tenant, ref);
        }
        return found;
    }

    /**
     * The key of {@code version} to decrypt a tenant's ciphertext with, read in the caller's transaction (a reader
     * connection with the tenant set is enough).
     *
     * @throws DataKeyErasedException when the tenant's wrapping key was destroyed, or the version does not exist
     */
    public DataKeyRef forDecryption(Connection connection, String tenant, int version) throws SQLException {
        Instant now = clock.instant();
        Cached cached = byVersion.get(versionKey(tenant, version));
        if (cached != null && fresh(cached, now)) {
            return cached.ref();
        }
        String wrapped;
        try (PreparedStatement query = connection.prepareStatement(ONE)) {
            query.setString(1, tenant);
            query.setInt(2, version);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new DataKeyErasedException(tenant, version);
                }
                wrapped = rows.getString(1);
            }
        }
        DataKeyRef ref;
        try {
            ref = unwrap(tenant, new Stored(version, wrapped));
        } catch (KeyNotFoundException e) {
            throw new DataKeyErasedException(tenant, version);
        }
        byVersion.put(versionKey(tenant, version), new Cached(ref, now));
        return ref;
    }

    /** Forgets every cached key (after a failed batch, or to make an erasure count at once in tests). */
    public void clear() {
        current.clear();
        byVersion.clear();
    }

    private boolean fresh(Cached cached, Instant now) {
        return cached.loadedAt().plus(CACHE_TTL).isAfter(now);
    }

    private DataKeyRef unwrap(String tenant, Stored stored) {
        byte[] plaintext = keys.unwrapDataKey(KeyNames.tenantDataKey(tenant), stored.wrapped());
        try {
            return new DataKeyRef(stored.version(), new SecretKeySpec(plaintext, "AES"));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private DataKeyRef create(Connection connection, String tenant, int version) throws SQLException {
        DataKey dataKey = keys.newDataKey(KeyNames.tenantDataKey(tenant));
        int inserted;
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, tenant);
            insert.setInt(2, version);
            insert.setString(3, dataKey.wrapped());
            inserted = insert.executeUpdate();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
        if (inserted == 0) {
            // another sink instance created this version first: use theirs
            return forDecryption(connection, tenant, version);
        }
        byte[] plaintext = dataKey.plaintext();
        try {
            LOG.info("Created data key v{} for tenant {}", version, tenant);
            return new DataKeyRef(version, new SecretKeySpec(plaintext, "AES"));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static Map<String, Stored> newest(Connection connection, String[] tenants) throws SQLException {
        Map<String, Stored> newest = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(NEWEST)) {
            query.setArray(1, connection.createArrayOf("text", tenants));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    newest.put(rows.getString(1), new Stored(rows.getInt(2), rows.getString(3)));
                }
            }
        }
        return newest;
    }

    private static String versionKey(String tenant, int version) {
        return tenant + '\u0000' + version;
    }
}
