package io.budgetguard.ingest.admin;

import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.admin.AdminJson.ApiKeyJson;
import io.budgetguard.ingest.admin.AdminJson.ApiKeyList;
import io.budgetguard.ingest.admin.AdminJson.CreatedApiKeyJson;
import io.budgetguard.ingest.admin.AdminJson.RotatedApiKeyJson;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.JsonFields;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.ingest.keys.ApiKeyIssuer;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Tenant;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * {@code POST /admin/tenant/{id}/apikeys} (exactly this path, as the seeds wrote it), {@code GET} (masked),
 * {@code DELETE …/apikeys/{key_id}} (revoke) and {@code POST …/apikeys/{key_id}/rotate} (a new key, the old one
 * usable for {@code overlap_seconds} more).
 */
final class ApiKeyRoutes {

    private final ControlPlaneView view;
    private final ApiKeyIssuer issuer;
    private final Clock clock;

    ApiKeyRoutes(ControlPlaneView view, ApiKeyIssuer issuer, Clock clock) {
        this.view = view;
        this.issuer = issuer;
        this.clock = clock;
    }

    void register(Javalin app) {
        app.post("/admin/tenant/{id}/apikeys", this::create);
        app.get("/admin/tenant/{id}/apikeys", ctx -> {
            Tenant tenant = tenant(ctx.pathParam("id"));
            Instant now = clock.instant();
            ctx.json(new ApiKeyList(view.apiKeysOf(tenant.getTenantId()).stream()
                    .map(key -> ApiKeyJson.of(key, now)).toList()));
        });
        app.delete("/admin/tenant/{id}/apikeys/{key_id}", ctx -> ctx.json(ApiKeyJson.of(issuer.revoke(key(ctx)),
                clock.instant())));
        app.post("/admin/tenant/{id}/apikeys/{key_id}/rotate", this::rotate);
    }

    private void create(Context ctx) {
        Tenant tenant = tenant(ctx.pathParam("id"));
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx), Set.of("role"));
        Role role = role(fields);
        fields.throwIfInvalid();
        ctx.status(201).json(CreatedApiKeyJson.of(issuer.create(tenant.getTenantId(), role)));
    }

    private void rotate(Context ctx) {
        ApiKey key = key(ctx);
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx), Set.of("overlap_seconds"));
        Duration overlap = overlap(fields);
        fields.throwIfInvalid();
        ctx.status(201).json(RotatedApiKeyJson.of(issuer.rotate(key, overlap), clock.instant()));
    }

    /** {@code role}, default {@code developer}; an error in {@code fields} when unknown. */
    static Role role(JsonFields fields) {
        String roleName = fields.optionalString("role");
        Role role = roleName == null ? Role.DEVELOPER : Role.parse(roleName).orElse(null);
        if (role == null && roleName != null) {
            fields.error("role", "must be one of owner, admin, developer, viewer");
        }
        return role;
    }

    /** {@code overlap_seconds}, 0 to 30 days, default one hour. */
    static Duration overlap(JsonFields fields) {
        Integer seconds = fields.optionalInt("overlap_seconds", 0, (int) ApiKeyIssuer.MAX_OVERLAP.toSeconds());
        return seconds == null ? ApiKeyIssuer.DEFAULT_OVERLAP : Duration.ofSeconds(seconds);
    }

    private ApiKey key(Context ctx) {
        Tenant tenant = tenant(ctx.pathParam("id"));
        String keyId = ctx.pathParam("key_id");
        ApiKey key = view.apiKeyOrNull(keyId);
        if (key == null || !key.getTenantId().equals(tenant.getTenantId())) {
            throw Problems.notFound("Tenant '" + tenant.getTenantId() + "' has no API key '"
                    + TenantRoutes.abbreviate(keyId) + "'");
        }
        return key;
    }

    private Tenant tenant(String id) {
        return view.tenant(id).orElseThrow(() -> Problems.notFound("No tenant '" + TenantRoutes.abbreviate(id) + "'"));
    }
}
