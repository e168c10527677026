package io.budgetguard.ingest.usage;

import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.auth.TenantGate;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.DirectRoute;
import io.budgetguard.ingest.http.Problems;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
     * The route over the servlet request and response, waiting for Kafka's acknowledgements on the calling thread:
     * what the Javalin route above does (for the paths {@link DirectRoute} leaves to Javalin, such as a trailing slash).
     */
    public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        DirectRoute.Answer answer;
        try {
            answer = handleLater(request, response).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problems.unavailable("The request was interrupted; retry it with the same event_ids");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        }
        response.setStatus(answer.status());
        answer.headers().forEach(response::setHeader);
        response.setContentType(answer.contentType());
        response.setContentLength(answer.body().length);
        response.getOutputStream().write(answer.body());
    }

    /**
     * The route as {@link DirectRoute} serves it (D35): everything up to the sends on the calling thread — a problem
     * found there is thrown at once —, then the 202 as a stage that completes when Kafka acknowledged every event, or
     * exceptionally with the 503, on the producer's I/O thread, so that no request thread waits for the broker.
     */
    public CompletableFuture<DirectRoute.Answer> handleLater(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        long received = System.nanoTime();
        Principal principal = gate.admit(request, Role.DEVELOPER);
        RequestBodies.requireJson(request);
        byte[] body = RequestBodies.read(request);
        String tenantId = principal.tenantId();
        List<byte[]> events = new UsageRequestReader(tenantId, principal.keyId(), clock.instant(),
                publisher.schemaId()).readEncoded(body, 0, body.length);
        int count = events.size();
        gate.rateLimiter().admitEvents(tenantId, count);
        return publisher.publishEncodedAsync(tenantId, events, received)
                .thenApply(acknowledged -> accepted(tenantId, count));
    }

    private DirectRoute.Answer accepted(String tenantId, int count) {
        accepted.increment(count);
        byte[] answer = ("{\"accepted\":" + count + "}").getBytes(StandardCharsets.US_ASCII);
        return new DirectRoute.Answer(202, "application/json",
                Map.of(BUDGET_STATUS_HEADER, view.budgetStatusHeader(tenantId)), answer);
    }
}
