package io.budgetguard.ingest.status;

import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.admin.AdminJson.BudgetStatusJson;
import io.budgetguard.ingest.auth.TenantGate;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/** {@code GET /v1/budgets/status} (viewer or above): the key's own tenant's budget status, as metering last computed it. */
public final class BudgetStatusHandler implements Handler {

    private final ControlPlaneView view;
    private final TenantGate gate;

    public BudgetStatusHandler(ControlPlaneView view, TenantGate gate) {
        this.view = view;
        this.gate = gate;
    }

    @Override
    public void handle(Context ctx) {
        Principal principal = gate.admit(ctx, Role.VIEWER);
        ctx.json(view.budgetStatus(principal.tenantId())
                .map(BudgetStatusJson::of)
                .orElseGet(() -> BudgetStatusJson.unknown(principal.tenantId())));
    }
}
