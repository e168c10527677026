package io.budgetguard.schemas.topics;

import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.LedgerCheckpoint;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.RejectedUsage;
import io.budgetguard.schemas.SpendSnapshot;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import java.util.List;

/** Every topic BudgetGuard uses. Partitions and configs are in the manifest, {@code infra/src/main/resources/topics.json}. */
public final class Topics {

    public static final Topic<UsageEvent> USAGE_EVENTS = new Topic<>("usage.events.v1", UsageEvent.class);
    public static final Topic<PricedUsage> USAGE_PRICED = new Topic<>("usage.priced.v1", PricedUsage.class);
    public static final Topic<RejectedUsage> USAGE_REJECTED = new Topic<>("usage.rejected.v1", RejectedUsage.class);
    public static final Topic<SpendSnapshot> TENANT_SPEND = new Topic<>("tenant.spend.v1", SpendSnapshot.class);
    public static final Topic<BudgetAlert> BUDGET_ALERTS = new Topic<>("budget.alerts.v1", BudgetAlert.class);
    public static final Topic<BudgetStatus> BUDGET_STATUS = new Topic<>("budget.status.v1", BudgetStatus.class);
    public static final Topic<Tenant> CONTROL_TENANTS = new Topic<>("control.tenants.v1", Tenant.class);
    public static final Topic<ApiKey> CONTROL_APIKEYS = new Topic<>("control.apikeys.v1", ApiKey.class);
    public static final Topic<Budget> CONTROL_BUDGETS = new Topic<>("control.budgets.v1", Budget.class);
    public static final Topic<ModelPrice> CONTROL_PRICES = new Topic<>("control.prices.v1", ModelPrice.class);
    public static final Topic<LedgerCheckpoint> LEDGER_CHECKPOINTS =
            new Topic<>("ledger.checkpoints.v1", LedgerCheckpoint.class);

    public static final List<Topic<?>> ALL = List.of(
            USAGE_EVENTS, USAGE_PRICED, USAGE_REJECTED, TENANT_SPEND, BUDGET_ALERTS, BUDGET_STATUS,
            CONTROL_TENANTS, CONTROL_APIKEYS, CONTROL_BUDGETS, CONTROL_PRICES, LEDGER_CHECKPOINTS);

    private Topics() {}
}
