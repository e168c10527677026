package io.budgetguard.ingest.admin;

import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.ingest.admin.AdminJson.ApiKeyJson;
import io.budgetguard.ingest.admin.AdminJson.ApiKeyList;
import io.budgetguard.ingest.admin.AdminJson.CreatedApiKeyJson;
import io.budgetguard.ingest.auth.TenantAuthenticator;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * {@code POST /admin/tenant/{id}/apikeys} (exactly this path, as the seeds wrote it), {@code GET} (masked) and
 * {@code DELETE …/apikeys/{key_id}} (revoke). Only the bcrypt hash of a secret is published; the secret is in the
 * creation answer and nowhere else.
 */
final class ApiKeyRoutes {

    private final ControlPlaneView view;
    private final ControlPlaneWriter writer;
    private final SecretHasher hasher;
    private final TenantAuthenticator authenticator;
    private final Clock clock;

    ApiKeyRoutes(ControlPlaneView view, ControlPlaneWriter writer, SecretHasher hasher,
            TenantAuthenticator authenticator, Clock clock) {
        this.view = view;
        this.writer = writer;
        this.hasher = hasher;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    void register(Javalin app) {
        app.post("/admin/tenant/{id}/apikeys", this::create);
        app.get("/admin/tenant/{id}/apikeys", ctx -> {
            Tenant tenant = tenant(ctx.pathParam("id"));
            ctx.json(new ApiKeyList(view.apiKeysOf(tenant.getTenantId()).stream().map(ApiKeyJson::of).toList()));
        });
        app.delete("/admin/tenant/{id}/apikeys/{key_id}", this::revoke);
    }

    private void create(Context ctx) {
        Tenant tenant = tenant(ctx.pathParam("id"));
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx), Set.of("role"));
        String roleName = fields.optionalString("role");
        Role role = roleName == null ? Role.DEVELOPER : Role.parse(roleName).orElse(null);
        if (role == null) {
            fields.error("role", "must be one of owner, admin, developer, viewer");
        }
        fields.throwIfInvalid();
        PresentedKey key = ApiKeys.generate();
        while (view.apiKeyOrNull(key.keyId()) != null) {
            key = ApiKeys.generate();
        }
        String hash = hasher.hash(key.secret());
        Instant now = Instant.ofEpochMilli(clock.millis());
        ApiKey record = new ApiKey(key.keyId(), tenant.getTenantId(), role.wireName(), hash, now, null);
        writer.put(Topics.CONTROL_APIKEYS, key.keyId(), record);
        authenticator.remember(key.keyId(), key.secret(), hash);
        ctx.status(201).json(new CreatedApiKeyJson(key.keyId(), key.token(), role.wireName(), tenant.getTenantId(), now));
    }

    private void revoke(Context ctx) {
        Tenant tenant = tenant(ctx.pathParam("id"));
        String keyId = ctx.pathParam("key_id");
        ApiKey key = view.apiKeyOrNull(keyId);
        if (key == null || !key.getTenantId().equals(tenant.getTenantId())) {
            throw Problems.notFound("Tenant '" + tenant.getTenantId() + "' has no API key '"
                    + TenantRoutes.abbreviate(keyId) + "'");
        }
        if (key.getRevokedAt() == null) {
            key = ApiKey.newBuilder(key).setRevokedAt(Instant.ofEpochMilli(clock.millis())).build();
            writer.put(Topics.CONTROL_APIKEYS, keyId, key);
        }
        ctx.json(ApiKeyJson.of(key));
    }

    private Tenant tenant(String id) {
        return view.tenant(id).orElseThrow(() -> Problems.notFound("No tenant '" + TenantRoutes.abbreviate(id) + "'"));
    }
}
