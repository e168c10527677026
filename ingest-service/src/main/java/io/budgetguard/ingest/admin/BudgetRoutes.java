package io.budgetguard.ingest.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.ingest.admin.AdminJson.BudgetJson;
import io.budgetguard.ingest.admin.AdminJson.BudgetList;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code PUT /admin/tenant/{id}/budgets/{budget_id}} (create or replace), {@code GET} one or all,
 * {@code DELETE} (a tombstone in {@code control.budgets.v1}).
 */
final class BudgetRoutes {

    static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
    private static final Set<String> PERIODS = Set.of("daily", "weekly", "monthly");
    private static final int MAX_THRESHOLDS = 20;

    private final ControlPlaneView view;
    private final ControlPlaneWriter writer;
    private final Clock clock;

    BudgetRoutes(ControlPlaneView view, ControlPlaneWriter writer, Clock clock) {
        this.view = view;
        this.writer = writer;
        this.clock = clock;
    }

    void register(Javalin app) {
        app.put("/admin/tenant/{id}/budgets/{budget_id}", this::put);
        app.get("/admin/tenant/{id}/budgets", ctx -> {
            Tenant tenant = tenant(ctx.pathParam("id"));
            ctx.json(new BudgetList(view.budgetsOf(tenant.getTenantId()).stream().map(BudgetJson::of).toList()));
        });
        app.get("/admin/tenant/{id}/budgets/{budget_id}", ctx -> ctx.json(BudgetJson.of(existing(ctx))));
        app.delete("/admin/tenant/{id}/budgets/{budget_id}", ctx -> {
            Budget budget = existing(ctx);
            writer.delete(Topics.CONTROL_BUDGETS, ControlPlaneView.budgetKey(budget.getTenantId(), budget.getBudgetId()));
            ctx.status(204);
        });
    }

    private void put(Context ctx) {
        Tenant tenant = tenant(ctx.pathParam("id"));
        String budgetId = ctx.pathParam("budget_id");
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx),
                Set.of("limit_usd", "period", "thresholds", "api_key_id", "model"));
        if (!JsonFields.ID.matcher(budgetId).matches()) {
            fields.error("budget_id", "must match [a-z0-9][a-z0-9_-]{0,63}");
        }
        BigDecimal limit = fields.decimal("limit_usd", true);
        String period = fields.optionalString("period");
        if (period == null) {
            period = "monthly";
        } else if (!PERIODS.contains(period)) {
            fields.error("period", "must be daily, weekly or monthly");
        }
        List<Integer> thresholds = thresholds(fields);
        String apiKeyId = fields.optionalString("api_key_id");
        if (apiKeyId != null) {
            ApiKey key = ApiKeys.isKeyId(apiKeyId) ? view.apiKeyOrNull(apiKeyId) : null;
            if (key == null || !key.getTenantId().equals(tenant.getTenantId())) {
                fields.error("api_key_id", "must be the id of one of this tenant's API keys");
            }
        }
        String model = fields.printable("model", 128, false);
        fields.throwIfInvalid();

        boolean exists = view.budget(tenant.getTenantId(), budgetId).isPresent();
        Budget budget = new Budget(tenant.getTenantId(), budgetId, limit, period, thresholds, apiKeyId, model,
                Instant.ofEpochMilli(clock.millis()));
        writer.put(Topics.CONTROL_BUDGETS, ControlPlaneView.budgetKey(tenant.getTenantId(), budgetId), budget);
        ctx.status(exists ? 200 : 201).json(BudgetJson.of(budget));
    }

    private static List<Integer> thresholds(JsonFields fields) {
        if (!fields.has("thresholds")) {
            return DEFAULT_THRESHOLDS;
        }
        JsonNode node = fields.node("thresholds");
        String rule = "must be 1 to " + MAX_THRESHOLDS + " integers from 1 to 1000 percent, strictly ascending";
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_THRESHOLDS) {
            fields.error("thresholds", rule);
            return DEFAULT_THRESHOLDS;
        }
        List<Integer> thresholds = new ArrayList<>();
        int previous = 0;
        for (JsonNode element : node) {
            if (!element.isIntegralNumber() || !element.canConvertToInt() || element.intValue() < 1
                    || element.intValue() > 1000 || element.intValue() <= previous) {
                fields.error("thresholds", rule);
                return DEFAULT_THRESHOLDS;
            }
            previous = element.intValue();
            thresholds.add(previous);
        }
        return List.copyOf(thresholds);
    }

    private Budget existing(Context ctx) {
        Tenant tenant = tenant(ctx.pathParam("id"));
        String budgetId = ctx.pathParam("budget_id");
        return view.budget(tenant.getTenantId(), budgetId).orElseThrow(() -> Problems.notFound(
                "Tenant '" + tenant.getTenantId() + "' has no budget '" + TenantRoutes.abbreviate(budgetId) + "'"));
    }

    private Tenant tenant(String id) {
        return view.tenant(id).orElseThrow(() -> Problems.notFound("No tenant '" + TenantRoutes.abbreviate(id) + "'"));
    }
}
