package io.budgetguard.ingest.admin;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.common.auth.SecretHasher;
import io.budgetguard.ingest.auth.TenantAuthenticator;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.keys.ApiKeyIssuer;
import io.javalin.Javalin;
import java.time.Clock;

/** The platform operator's API under {@code /admin}, every route behind {@link AdminGuard}. */
public final class AdminApi {

    private AdminApi() {}

    public static void register(Javalin app, AdminKeyVerifier adminKeys, ControlPlaneView view, ControlPlaneWriter writer,
            SecretHasher hasher, TenantAuthenticator authenticator, Clock clock) {
        AdminGuard guard = new AdminGuard(adminKeys, view);
        app.before("/admin", guard);
        app.before("/admin/*", guard);
        new TenantRoutes(view, writer, clock).register(app);
        new ApiKeyRoutes(view, new ApiKeyIssuer(view, writer, hasher, authenticator, clock), clock).register(app);
        new BudgetRoutes(view, writer, clock).register(app);
        new PriceRoutes(view, writer).register(app);
    }
}
