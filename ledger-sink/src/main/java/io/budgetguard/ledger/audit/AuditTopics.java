package io.budgetguard.ledger.audit;

import io.budgetguard.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The topics whose records the sink appends to {@code audit_log}: budget alerts and the four control-plane topics.
 * Production uses their standard names ({@link #STANDARD}); tests rename them, or turn the audit trail off
 * ({@link #NONE}).
 */
public record AuditTopics(boolean enabled, String alerts, String tenants, String apiKeys, String budgets,
        String prices) {

    public static final AuditTopics STANDARD = new AuditTopics(true, Topics.BUDGET_ALERTS.name(),
            Topics.CONTROL_TENANTS.name(), Topics.CONTROL_APIKEYS.name(), Topics.CONTROL_BUDGETS.name(),
            Topics.CONTROL_PRICES.name());

    public static final AuditTopics NONE = new AuditTopics(false, "", "", "", "", "");

    public AuditTopics {
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(tenants, "tenants");
        Objects.requireNonNull(apiKeys, "apiKeys");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(prices, "prices");
    }

    /** Every topic name, empty when disabled. */
    public List<String> names() {
        if (!enabled) {
            return List.of();
        }
        return new ArrayList<>(List.of(alerts, tenants, apiKeys, budgets, prices));
    }

    /** Standard topic names with {@code suffix} appended (tests on a shared broker). */
    public static AuditTopics suffixed(String suffix) {
        return new AuditTopics(true, STANDARD.alerts + suffix, STANDARD.tenants + suffix, STANDARD.apiKeys + suffix,
                STANDARD.budgets + suffix, STANDARD.prices + suffix);
    }
}
