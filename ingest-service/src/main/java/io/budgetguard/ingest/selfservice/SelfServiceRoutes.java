package io.budgetguard.ingest.selfservice;

import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.admin.AdminJson.ApiKeyJson;
import io.budgetguard.ingest.admin.AdminJson.ApiKeyList;
import io.budgetguard.ingest.admin.AdminJson.BudgetJson;
import io.budgetguard.ingest.admin.AdminJson.BudgetList;
import io.budgetguard.ingest.admin.AdminJson.CreatedApiKeyJson;
import io.budgetguard.ingest.auth.TenantGate;
import io.budgetguard.ingest.budgets.BudgetEditor;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.JsonFields;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.ingest.keys.ApiKeyIssuer;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * A tenant managing itself with its own API keys (PRODUCT.md §3.5): keys and budgets of the key's own tenant, never
 * another's. Who may do what:
 *
 * <table>
 * <tr><th>route</th><th>roles</th></tr>
 * <tr><td>{@code POST /v1/keys {role?}}</td><td>owner, admin; the new key's role at most the caller's (an admin
 * cannot create an owner)</td></tr>
 * <tr><td>{@code GET /v1/keys}</td><td>owner, admin (key management; never a secret or hash)</td></tr>
 * <tr><td>{@code DELETE /v1/keys/{key_id}}</td><td>owner, admin; not a key of a higher role than the caller's</td></tr>
 * <tr><td>{@code PUT /v1/budgets/{budget_id}}, {@code DELETE /v1/budgets/{budget_id}}</td><td>owner, admin</td></tr>
 * <tr><td>{@code GET /v1/budgets}</td><td>viewer and above</td></tr>
 * </table>
 *
 * Another tenant's key or budget is indistinguishable from a missing one (404), and no answer names another tenant's
 * ids.
 */
public final class SelfServiceRoutes {

    private final TenantGate gate;
    private final ControlPlaneView view;
    private final ApiKeyIssuer keys;
    private final BudgetEditor budgets;
    private final Clock clock;

    public SelfServiceRoutes(TenantGate gate, ControlPlaneView view, ApiKeyIssuer keys, BudgetEditor budgets,
            Clock clock) {
        this.gate = gate;
        this.view = view;
        this.keys = keys;
        this.budgets = budgets;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.post("/v1/keys", this::createKey);
        app.get("/v1/keys", this::listKeys);
        app.delete("/v1/keys/{key_id}", this::revokeKey);
        app.get("/v1/budgets", this::listBudgets);
        app.put("/v1/budgets/{budget_id}", this::putBudget);
        app.delete("/v1/budgets/{budget_id}", this::deleteBudget);
    }

    private void createKey(Context ctx) {
        Principal caller = gate.admit(ctx, Role.ADMIN);
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx), Set.of("role"));
        String roleName = fields.optionalString("role");
        Role role = roleName == null ? Role.DEVELOPER : Role.parse(roleName).orElse(null);
        if (role == null && roleName != null) {
            fields.error("role", "must be one of owner, admin, developer, viewer");
        }
        fields.throwIfInvalid();
        if (!caller.role().allows(role)) {
            throw Problems.forbidden("A key with role " + caller.role().wireName() + " may create keys up to role "
                    + caller.role().wireName() + ", not " + role.wireName());
        }
        ctx.status(201).json(CreatedApiKeyJson.of(keys.create(caller.tenantId(), role)));
    }

    private void listKeys(Context ctx) {
        Principal caller = gate.admit(ctx, Role.ADMIN);
        Instant now = clock.instant();
        ctx.json(new ApiKeyList(view.apiKeysOf(caller.tenantId()).stream().map(key -> ApiKeyJson.of(key, now)).toList()));
    }

    private void revokeKey(Context ctx) {
        Principal caller = gate.admit(ctx, Role.ADMIN);
        ApiKey key = view.apiKeyOrNull(ctx.pathParam("key_id"));
        if (key == null || !key.getTenantId().equals(caller.tenantId())) {
            throw Problems.notFound("This tenant has no API key with that id");
        }
        Role role = Role.parse(key.getRole()).orElse(Role.OWNER);
        if (!caller.role().allows(role)) {
            throw Problems.forbidden("A key with role " + caller.role().wireName() + " may not revoke a key with role "
                    + role.wireName());
        }
        ctx.json(ApiKeyJson.of(keys.revoke(key), clock.instant()));
    }

    private void listBudgets(Context ctx) {
        Principal caller = gate.admit(ctx, Role.VIEWER);
        ctx.json(new BudgetList(budgets.list(caller.tenantId()).stream().map(BudgetJson::of).toList()));
    }

    private void putBudget(Context ctx) {
        Principal caller = gate.admit(ctx, Role.ADMIN);
        BudgetEditor.Written written = budgets.put(caller.tenantId(), ctx.pathParam("budget_id"),
                RequestBodies.readObject(ctx));
        ctx.status(written.created() ? 201 : 200).json(BudgetJson.of(written.budget()));
    }

    private void deleteBudget(Context ctx) {
        Principal caller = gate.admit(ctx, Role.ADMIN);
        Budget budget = budgets.find(caller.tenantId(), ctx.pathParam("budget_id"))
                .orElseThrow(() -> Problems.notFound("This tenant has no budget with that id"));
        budgets.delete(budget);
        ctx.status(204);
    }
}
