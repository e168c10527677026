package io.budgetguard.ledger.api;

import com.fasterxml.jackson.core.type.TypeReference;
import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.auth.CachedSecretVerifier;
import io.budgetguard.common.auth.FailedAttemptLimiter;
import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.common.limits.ClockTimeMeter;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.chain.LedgerFormats;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.privacy.DataKeyErasedException;
import io.budgetguard.ledger.privacy.PersonalDataCipher;
import io.budgetguard.ledger.privacy.TenantDataKeys;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant-facing ledger routes (PRODUCT.md §3.5), viewer role or above, own tenant only:
 *
 * <ul>
 *   <li>{@code GET /v1/ledger?after_seq=&limit=} — entries after {@code after_seq} (default 0), at most {@code limit}
 *       (1–1000, default 100), in seq order, with everything needed to re-verify the chain (the hashed fields,
 *       ciphertexts, prev_hash and entry_hash in hex) plus {@code end_user} and {@code metadata} decrypted with the
 *       tenant's data key, or {@code null} with {@code "personal_data":"erased"} after an erasure;
 *       {@code next_after_seq} is the value for the next page, {@code null} on the last one.
 *   <li>{@code GET /v1/ledger/checkpoints?after_seq=&limit=} — the tenant's signed chain heads, same paging.
 * </ul>
 *
 * The tenant is always the API key's; no parameter names one. Keys are checked by the shared
 * {@link TenantAuthenticator} of {@code common}, with this service's failed-attempt limits per key id and per client
 * address ({@code LEDGER_AUTH_FAILURES_PER_MIN_PER_KEY}, {@code LEDGER_AUTH_FAILURES_PER_MIN_PER_ADDRESS}: 429 with
 * {@code Retry-After}) and bcrypt bound ({@code LEDGER_MAX_CONCURRENT_BCRYPT}). The client address is the TCP peer:
 * the ledger API trusts no forwarding header.
 */
public final class LedgerApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerApi.class);
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private static final int CONNECTIONS = 4;

    private final TenantAuthenticator auth;
    private final LedgerReader reader;
    private final TenantDataKeys dataKeys;
    private final AutoCloseable[] resources;

    LedgerApi(TenantAuthenticator auth, LedgerReader reader, TenantDataKeys dataKeys, AutoCloseable... resources) {
        this.auth = Objects.requireNonNull(auth, "auth");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.dataKeys = Objects.requireNonNull(dataKeys, "dataKeys");
        this.resources = resources;
    }

    /**
     * Where the API reads: Kafka for API keys and tenants, the ledger database (the sink's login), the data keys; and
     * the authentication limits.
     */
    public record Settings(String kafkaBootstrap, SchemaRegistry registry, String apiKeysTopic, String tenantsTopic,
            String databaseUrl, String databaseUser, String databasePassword, AuthLimits authLimits) {}

    /** Starts following the API keys and tenants; the routes answer 503 until that view has caught up. */
    public static LedgerApi start(Settings settings, TenantDataKeys dataKeys, Clock clock) {
        ControlKeysView view = new ControlKeysView();
        ControlKeysReader keysReader = new ControlKeysReader(settings.kafkaBootstrap(), settings.registry(),
                settings.apiKeysTopic(), settings.tenantsTopic(), view).start();
        ReadConnections connections = new ReadConnections(settings.databaseUrl(), settings.databaseUser(),
                settings.databasePassword(), CONNECTIONS);
        AuthLimits limits = settings.authLimits();
        TenantAuthenticator auth = new TenantAuthenticator(view,
                CachedSecretVerifier.bcrypt(limits.maxConcurrentBcrypt()),
                new FailedAttemptLimiter(limits, new ClockTimeMeter(clock)), clock, view::isCaughtUp,
                "The ledger API is still reading the API keys; retry shortly");
        return new LedgerApi(auth, new LedgerReader(connections), dataKeys, keysReader, connections);
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }

    public void register(Javalin http) {
        http.get("/v1/ledger", this::entries);
        http.get("/v1/ledger/checkpoints", this::checkpoints);
    }

    private void entries(Context ctx) throws SQLException {
        Principal caller = caller(ctx);
        long afterSeq = afterSeq(ctx);
        int limit = limit(ctx);
        List<Map<String, Object>> entries = reader.asTenant(caller.tenantId(), connection -> {
            List<Map<String, Object>> shaped = new ArrayList<>();
            for (LedgerEntry entry : LedgerReader.entries(connection, caller.tenantId(), afterSeq, limit)) {
                shaped.add(shape(connection, entry));
            }
            return shaped;
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant_id", caller.tenantId());
        body.put("entries", entries);
        body.put("next_after_seq", entries.size() == limit ? entries.get(entries.size() - 1).get("seq") : null);
        ctx.json(body);
    }

    private void checkpoints(Context ctx) throws SQLException {
        Principal caller = caller(ctx);
        long afterSeq = afterSeq(ctx);
        int limit = limit(ctx);
        List<Map<String, Object>> checkpoints = new ArrayList<>();
        for (Checkpoint checkpoint : reader.checkpoints(caller.tenantId(), afterSeq, limit)) {
            Map<String, Object> shaped = new LinkedHashMap<>();
            shaped.put("seq", checkpoint.seq());
            shaped.put("head_hash", checkpoint.headHash().hex());
            shaped.put("signed_at", LedgerFormats.timestamp(checkpoint.signedAt()));
            shaped.put("signature", checkpoint.signature());
            shaped.put("key_version", checkpoint.keyVersion());
            checkpoints.add(shaped);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant_id", caller.tenantId());
        body.put("checkpoints", checkpoints);
        body.put("next_after_seq", checkpoints.size() == limit ? checkpoints.get(checkpoints.size() - 1).get("seq")
                : null);
        ctx.json(body);
    }

    private Principal caller(Context ctx) {
        Principal caller = auth.authenticate(ctx.header("Authorization"), ctx.req().getRemoteAddr());
        caller.require(Role.VIEWER);
        return caller;
    }

    private Map<String, Object> shape(Connection connection, LedgerEntry e) throws SQLException {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("seq", e.seq());
        entry.put("event_id", e.eventId());
        entry.put("api_key_id", e.apiKeyId());
        entry.put("occurred_at", LedgerFormats.timestamp(e.occurredAt()));
        entry.put("received_at", LedgerFormats.timestamp(e.receivedAt()));
        entry.put("recorded_at", e.recordedAt() == null ? null : LedgerFormats.timestamp(e.recordedAt()));
        entry.put("provider", e.provider());
        entry.put("model", e.model());
        entry.put("input_tokens", e.inputTokens());
        entry.put("cached_input_tokens", e.cachedInputTokens());
        entry.put("cache_write_tokens", e.cacheWriteTokens());
        entry.put("output_tokens", e.outputTokens());
        entry.put("reasoning_tokens", e.reasoningTokens());
        entry.put("cost_usd", LedgerFormats.cost(e.costUsd()));
        entry.put("price_version", e.priceVersion());
        personalData(connection, e, entry);
        entry.put("end_user_ct", e.endUserCt());
        entry.put("metadata_ct", e.metadataCt());
        entry.put("prev_hash", e.prevHash().hex());
        entry.put("entry_hash", e.entryHash().hex());
        return entry;
    }

    /** {@code end_user}, {@code metadata} and {@code personal_data}: present, none, erased or unreadable. */
    private void personalData(Connection connection, LedgerEntry e, Map<String, Object> entry) throws SQLException {
        entry.put("end_user", null);
        entry.put("metadata", null);
        if (e.endUserCt().isEmpty() && e.metadataCt().isEmpty()) {
            entry.put("personal_data", "none");
            return;
        }
        try {
            if (!e.endUserCt().isEmpty()) {
                entry.put("end_user", decrypt(connection, e, PersonalDataCipher.END_USER, e.endUserCt()));
            }
            if (!e.metadataCt().isEmpty()) {
                entry.put("metadata", Json.MAPPER.readValue(
                        decrypt(connection, e, PersonalDataCipher.METADATA, e.metadataCt()), STRING_MAP));
            }
            entry.put("personal_data", "present");
        } catch (DataKeyErasedException ex) {
            entry.put("end_user", null);
            entry.put("metadata", null);
            entry.put("personal_data", "erased");
        } catch (KeyServiceException ex) {
            throw ApiProblems.unavailable("The key service cannot decrypt personal data right now; retry shortly");
        } catch (IllegalArgumentException | IOException ex) {
            LOG.warn("Personal data of tenant {} seq {} does not decrypt: {}", e.tenantId(), e.seq(), ex.getMessage());
            entry.put("end_user", null);
            entry.put("metadata", null);
            entry.put("personal_data", "unreadable");
        }
    }

    private String decrypt(Connection connection, LedgerEntry e, String field, String ciphertext) throws SQLException {
        int version = PersonalDataCipher.keyVersion(ciphertext);
        return PersonalDataCipher.decrypt(dataKeys.forDecryption(connection, e.tenantId(), version).key(),
                e.tenantId(), e.eventId(), field, ciphertext);
    }

    private static long afterSeq(Context ctx) {
        String value = ctx.queryParam("after_seq");
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            long afterSeq = Long.parseLong(value);
            if (afterSeq < 0) {
                throw ApiProblems.badRequest("after_seq must be 0 or more");
            }
            return afterSeq;
        } catch (NumberFormatException e) {
            throw ApiProblems.badRequest("after_seq must be a whole number");
        }
    }

    private static int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiProblems.badRequest("limit must be between 1 and " + MAX_LIMIT);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw ApiProblems.badRequest("limit must be a whole number between 1 and " + MAX_LIMIT);
        }
    }
}
