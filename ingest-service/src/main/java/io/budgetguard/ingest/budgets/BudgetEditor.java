package io.budgetguard.ingest.budgets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.http.JsonFields;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.topics.Topics;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, replaces and deletes a tenant's budgets in {@code control.budgets.v1} (a delete is a tombstone), for the
 * admin API and the tenants' own {@code /v1/budgets}. The tenant is always the caller's (or the admin's path), never
 * a body field; an {@code api_key_id} narrowing a budget must be one of that tenant's keys.
 */
public final class BudgetEditor {

    public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
    public static final Set<String> FIELDS = Set.of("limit_usd", "period", "thresholds", "api_key_id", "model");
    private static final Set<String> PERIODS = Set.of("daily", "weekly", "monthly");
    private static final int MAX_THRESHOLDS = 20;

    /** A budget as written, and whether it is new (201) or replaced one (200). */
    public record Written(Budget budget, boolean created) {}

    private final ControlPlaneView view;
    private final ControlPlaneWriter writer;
    private final Clock clock;

    public BudgetEditor(ControlPlaneView view, ControlPlaneWriter writer, Clock clock) {
        this.view = view;
        this.writer = writer;
        this.clock = clock;
    }

    /** Validates {@code body} (one 422 naming every problem) and publishes the budget. */
    public Written put(String tenantId, String budgetId, ObjectNode body) {
        JsonFields fields = JsonFields.of(body, FIELDS);
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
            if (key == null || !key.getTenantId().equals(tenantId)) {
                fields.error("api_key_id", "must be the id of one of this tenant's API keys");
            }
        }
        String model = fields.printable("model", 128, false);
        fields.throwIfInvalid();

        boolean exists = view.budget(tenantId, budgetId).isPresent();
        Budget budget = new Budget(tenantId, budgetId, limit, period, thresholds, apiKeyId, model,
                Instant.ofEpochMilli(clock.millis()));
        writer.put(Topics.CONTROL_BUDGETS, ControlPlaneView.budgetKey(tenantId, budgetId), budget);
        return new Written(budget, !exists);
    }

    public Optional<Budget> find(String tenantId, String budgetId) {
        return view.budget(tenantId, budgetId);
    }

    public List<Budget> list(String tenantId) {
        return view.budgetsOf(tenantId);
    }

    /** Publishes the tombstone of an existing budget. */
    public void delete(Budget budget) {
        writer.delete(Topics.CONTROL_BUDGETS, ControlPlaneView.budgetKey(budget.getTenantId(), budget.getBudgetId()));
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
}
