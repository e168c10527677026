package io.budgetguard.ingest.status;

import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.admin.AdminJson.BudgetStatusJson;
import io.budgetguard.ingest.auth.Principal;
import io.budgetguard.ingest.auth.TenantAuthenticator;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.Problems;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/** {@code GET /v1/budgets/status} (viewer or above): the key's own tenant's budget status, as metering last computed it. */
public final class BudgetStatusHandler implements Handler {

    private final ControlPlaneView view;
    private final TenantAuthenticator authenticator;

    public BudgetStatusHandler(ControlPlaneView view, TenantAuthenticator authenticator) {
        this.view = view;
        this.authenticator = authenticator;
    }

    @Override
    public void handle(Context ctx) {
        if (!view.isCaughtUp()) {
            throw Problems.unavailable("The service is starting: the control-plane view is still loading");
        }
        Principal principal = authenticator.authenticate(ctx.header("Authorization"));
        principal.require(Role.VIEWER);
        ctx.json(view.budgetStatus(principal.tenantId())
                .map(BudgetStatusJson::of)
                .orElseGet(() -> BudgetStatusJson.unknown(principal.tenantId())));
    }
}
