package io.budgetguard.ingest.admin;

import io.budgetguard.ingest.admin.AdminJson.BudgetJson;
import io.budgetguard.ingest.admin.AdminJson.BudgetList;
import io.budgetguard.ingest.budgets.BudgetEditor;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.Tenant;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * {@code PUT /admin/tenant/{id}/budgets/{budget_id}} (create or replace), {@code GET} one or all,
 * {@code DELETE} (a tombstone in {@code control.budgets.v1}).
 */
final class BudgetRoutes {

    private final ControlPlaneView view;
    private final BudgetEditor budgets;

    BudgetRoutes(ControlPlaneView view, BudgetEditor budgets) {
        this.view = view;
        this.budgets = budgets;
    }

    void register(Javalin app) {
        app.put("/admin/tenant/{id}/budgets/{budget_id}", ctx -> {
            Tenant tenant = tenant(ctx.pathParam("id"));
            BudgetEditor.Written written = budgets.put(tenant.getTenantId(), ctx.pathParam("budget_id"),
                    RequestBodies.readObject(ctx));
            ctx.status(written.created() ? 201 : 200).json(BudgetJson.of(written.budget()));
        });
        app.get("/admin/tenant/{id}/budgets", ctx -> {
            Tenant tenant = tenant(ctx.pathParam("id"));
            ctx.json(new BudgetList(budgets.list(tenant.getTenantId()).stream().map(BudgetJson::of).toList()));
        });
        app.get("/admin/tenant/{id}/budgets/{budget_id}", ctx -> ctx.json(BudgetJson.of(existing(ctx))));
        app.delete("/admin/tenant/{id}/budgets/{budget_id}", ctx -> {
            budgets.delete(existing(ctx));
            ctx.status(204);
        });
    }

    private Budget existing(Context ctx) {
        Tenant tenant = tenant(ctx.pathParam("id"));
        String budgetId = ctx.pathParam("budget_id");
        return budgets.find(tenant.getTenantId(), budgetId).orElseThrow(() -> Problems.notFound(
                "Tenant '" + tenant.getTenantId() + "' has no budget '" + TenantRoutes.abbreviate(budgetId) + "'"));
    }

    private Tenant tenant(String id) {
        return view.tenant(id).orElseThrow(() -> Problems.notFound("No tenant '" + TenantRoutes.abbreviate(id) + "'"));
    }
}
