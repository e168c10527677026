package io.budgetguard.ingest.auth;

import io.budgetguard.common.auth.AuthProblems;
import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.ClientAddresses;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.limits.TenantRateLimiter;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;

/**
 * What every tenant route ({@code /v1/*}) does first, in this order: 503 while the control-plane view is loading,
 * authenticate the key (401), take a request token of the tenant (429), check the key's role (403). Rate limiting
 * comes before the role check so that a key hammering a route it may not use is throttled too.
 */
public final class TenantGate {

    public static final String AUTHORIZATION = "Authorization";

    private final ControlPlaneView view;
    private final TenantAuthenticator authenticator;
    private final TenantRateLimiter rateLimiter;
    private final ClientAddresses addresses;

    public TenantGate(ControlPlaneView view, TenantAuthenticator authenticator, TenantRateLimiter rateLimiter,
            ClientAddresses addresses) {
        this.view = view;
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.addresses = addresses;
    }

    /** The authenticated caller, admitted by its tenant's request rate and holding at least {@code required}. */
    public Principal admit(Context ctx, Role required) {
        return admit(ctx.req(), required);
    }

    /** As {@link #admit(Context, Role)}, over the servlet request (routes served ahead of Javalin). */
    public Principal admit(HttpServletRequest request, Role required) {
        if (!view.isCaughtUp()) {
            throw Problems.unavailable("The service is starting: the control-plane view is still loading");
        }
        Enumeration<String> headers = request.getHeaders(AUTHORIZATION);
        String authorization = headers.hasMoreElements() ? headers.nextElement() : null;
        if (headers.hasMoreElements()) {
            // which one would count is a guess a proxy in front may make differently (it may check one and pass both)
            throw AuthProblems.invalidBearer("Send exactly one Authorization header", false);
        }
        Principal principal = authenticator.authenticate(authorization, addresses.of(request));
        rateLimiter.admitRequest(principal.tenantId());
        principal.require(required);
        return principal;
    }

    public TenantRateLimiter rateLimiter() {
        return rateLimiter;
    }
}
