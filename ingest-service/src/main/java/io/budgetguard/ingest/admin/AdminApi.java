package io.budgetguard.ingest.admin;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.ingest.budgets.BudgetEditor;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.keys.ApiKeyIssuer;
import io.javalin.Javalin;
import java.time.Clock;

/** The platform operator's API under {@code /admin}, every route behind {@link AdminGuard}. */
public final class AdminApi {

    private AdminApi() {}

    public static void register(Javalin app, AdminKeyVerifier adminKeys, ControlPlaneView view, ControlPlaneWriter writer,
            ApiKeyIssuer keys, BudgetEditor budgets, Clock clock) {
        AdminGuard guard = new AdminGuard(adminKeys, view);
        app.before("/admin", guard);
        app.before("/admin/*", guard);
        new TenantRoutes(view, writer, clock).register(app);
        new ApiKeyRoutes(view, keys, clock).register(app);
        new BudgetRoutes(view, budgets).register(app);
        new PriceRoutes(view, writer).register(app);
    }
}
