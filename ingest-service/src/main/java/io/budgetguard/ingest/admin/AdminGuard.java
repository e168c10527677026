package io.budgetguard.ingest.admin;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.Problems;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * Runs before every {@code /admin/*} route: refuses (401) a missing or wrong {@code X-Admin-Key}, compared in
 * constant time against the configured SHA-256, and answers 503 while the control-plane view is still loading
 * (existence checks would be wrong before).
 */
public final class AdminGuard implements Handler {

    public static final String HEADER = "X-Admin-Key";

    private final AdminKeyVerifier verifier;
    private final ControlPlaneView view;

    public AdminGuard(AdminKeyVerifier verifier, ControlPlaneView view) {
        this.verifier = verifier;
        this.view = view;
    }

    @Override
    public void handle(Context ctx) {
        if (!verifier.verify(ctx.header(HEADER))) {
            throw Problems.invalidAdminKey();
        }
        if (!view.isCaughtUp()) {
            throw Problems.unavailable("The service is starting: the control-plane view is still loading");
        }
    }
}
