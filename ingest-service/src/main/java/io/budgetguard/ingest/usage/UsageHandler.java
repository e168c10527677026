package io.budgetguard.ingest.usage;

import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.auth.TenantGate;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.RequestBodies;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * {@code POST /v1/usage}: authenticate (developer or above), read and validate the body, publish, and answer
 * {@code 202 {"accepted":n}} with {@code X-Budget-Status} only after Kafka acknowledged every event. A batch takes as
 * many tokens of the tenant's events-per-second bucket as it holds events, after validation (an invalid request
 * costs no event tokens) and before publishing.
 */
public final class UsageHandler implements Handler {

    public static final String BUDGET_STATUS_HEADER = "X-Budget-Status";

    private final ControlPlaneView view;
    private final TenantGate gate;
    private final UsagePublisher publisher;
    private final Clock clock;
    private final Counter accepted;

    public UsageHandler(ControlPlaneView view, TenantGate gate, UsagePublisher publisher, Clock clock,
            MeterRegistry metrics) {
        this.view = view;
        this.gate = gate;
        this.publisher = publisher;
        this.clock = clock;
        this.accepted = Counter.builder("budgetguard.ingest.events.accepted")
                .description("Usage events acknowledged by Kafka and answered 202").register(metrics);
    }

    @Override
    public void handle(Context ctx) throws IOException {
        handle(ctx.req(), ctx.res());
    }

    /**
     * The route over the servlet request and response: how {@link io.budgetguard.ingest.http.DirectRoute} serves it
     * ahead of Javalin, and what the Javalin route above does too.
     */
    public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long received = System.nanoTime();
        Principal principal = gate.admit(request, Role.DEVELOPER);
        RequestBodies.requireJson(request);
        byte[] body = RequestBodies.read(request);
        List<byte[]> events = new UsageRequestReader(principal.tenantId(), principal.keyId(), clock.instant(),
                publisher.schemaId()).readEncoded(body, 0, body.length);
        gate.rateLimiter().admitEvents(principal.tenantId(), events.size());
        publisher.publishEncoded(principal.tenantId(), events, received);
        accepted.increment(events.size());
        byte[] answer = ("{\"accepted\":" + events.size() + "}").getBytes(StandardCharsets.US_ASCII);
        response.setStatus(202);
        response.setHeader(BUDGET_STATUS_HEADER, view.budgetStatusHeader(principal.tenantId()));
        response.setContentType("application/json");
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
    }
}
