package io.budgetguard.ingest.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.ingest.admin.AdminJson.TenantJson;
import io.budgetguard.ingest.admin.AdminJson.TenantList;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.http.JsonFields;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * {@code POST /admin/tenants}, {@code GET /admin/tenants[/{id}]}, {@code PATCH /admin/tenants/{id}}.
 * Tenants are never deleted: a suspended tenant keeps its ledger and is refused at the edge.
 */
final class TenantRoutes {

    static final String ACTIVE = "active";
    static final String SUSPENDED = "suspended";
    private static final int MAX_RATE_LIMIT = 10_000_000;
    private static final String EVENTS_LIMIT = "rate_limit_events_per_s";
    private static final String REQUESTS_LIMIT = "rate_limit_requests_per_s";

    private final ControlPlaneView view;
    private final ControlPlaneWriter writer;
    private final Clock clock;

    TenantRoutes(ControlPlaneView view, ControlPlaneWriter writer, Clock clock) {
        this.view = view;
        this.writer = writer;
        this.clock = clock;
    }

    void register(Javalin app) {
        app.post("/admin/tenants", this::create);
        app.get("/admin/tenants", ctx -> ctx.json(new TenantList(view.tenants().stream().map(TenantJson::of).toList())));
        app.get("/admin/tenants/{id}", ctx -> ctx.json(TenantJson.of(existing(ctx.pathParam("id")))));
        app.patch("/admin/tenants/{id}", this::update);
    }

    private void create(Context ctx) {
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx),
                Set.of("id", "name", EVENTS_LIMIT, REQUESTS_LIMIT));
        String id = fields.requiredId("id");
        String name = fields.printable("name", 256, true);
        Integer eventsLimit = fields.optionalInt(EVENTS_LIMIT, 1, MAX_RATE_LIMIT);
        Integer requestsLimit = fields.optionalInt(REQUESTS_LIMIT, 1, MAX_RATE_LIMIT);
        fields.throwIfInvalid();
        if (view.tenant(id).isPresent()) {
            throw Problems.conflict("Tenant '" + id + "' already exists");
        }
        Instant now = now();
        Tenant tenant = Tenant.newBuilder().setTenantId(id).setName(name).setStatus(ACTIVE)
                .setRateLimitEventsPerS(eventsLimit).setRateLimitRequestsPerS(requestsLimit)
                .setCreatedAt(now).setUpdatedAt(now).build();
        writer.put(Topics.CONTROL_TENANTS, id, tenant);
        ctx.status(201).header("Location", "/admin/tenants/" + id).json(TenantJson.of(tenant));
    }

    private void update(Context ctx) {
        Tenant current = existing(ctx.pathParam("id"));
        ObjectNode body = RequestBodies.readObject(ctx);
        JsonFields fields = JsonFields.of(body, Set.of("status", "name", EVENTS_LIMIT, REQUESTS_LIMIT));
        String status = fields.optionalString("status");
        if (status != null && !status.equals(ACTIVE) && !status.equals(SUSPENDED)) {
            fields.error("status", "must be \"active\" or \"suspended\"");
        }
        String name = fields.printable("name", 256, false);
        Integer eventsLimit = fields.optionalInt(EVENTS_LIMIT, 1, MAX_RATE_LIMIT);
        Integer requestsLimit = fields.optionalInt(REQUESTS_LIMIT, 1, MAX_RATE_LIMIT);
        if (body.isEmpty()) {
            fields.error("status", "nothing to change: send status, name, " + EVENTS_LIMIT + " or " + REQUESTS_LIMIT);
        }
        fields.throwIfInvalid();
        Tenant updated = Tenant.newBuilder(current)
                .setStatus(status != null ? status : current.getStatus())
                .setName(name != null ? name : current.getName())
                // present (null included: back to the platform default) replaces, absent keeps
                .setRateLimitEventsPerS(body.has(EVENTS_LIMIT) ? eventsLimit : current.getRateLimitEventsPerS())
                .setRateLimitRequestsPerS(body.has(REQUESTS_LIMIT) ? requestsLimit : current.getRateLimitRequestsPerS())
                .setUpdatedAt(now())
                .build();
        writer.put(Topics.CONTROL_TENANTS, updated.getTenantId(), updated);
        ctx.json(TenantJson.of(updated));
    }

    private Tenant existing(String id) {
        return view.tenant(id).orElseThrow(() -> Problems.notFound("No tenant '" + abbreviate(id) + "'"));
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
