package io.budgetguard.metering.budget;

import io.budgetguard.metering.control.ControlIndex;
import io.budgetguard.schemas.control.Budget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every tenant's budgets, from {@code control.budgets.v1}. Each tenant's budgets are an immutable list sorted by
 * budget id, replaced as a whole on change, so a stream thread always reads a consistent list without locking.
 */
public final class BudgetIndex implements ControlIndex<Budget> {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetIndex.class);
    private static final Comparator<BudgetRule> BY_ID = Comparator.comparing(BudgetRule::budgetId);

    private volatile State state = new State(new ConcurrentHashMap<>(), new HashMap<>());

    /** The tenant's budgets, sorted by budget id; empty when it has none. */
    public List<BudgetRule> budgetsOf(String tenantId) {
        return state.byTenant.getOrDefault(tenantId, List.of());
    }

    @Override
    public void put(String key, Budget budget) {
        State current = state;
        Optional<BudgetRule> rule = BudgetRule.from(budget);
        BudgetRule previous = current.keys.get(key);
        if (rule.isEmpty()) {
            LOG.warn("Ignoring budget '{}': period '{}' or limit {} cannot be applied", key, budget.getPeriod(),
                    budget.getLimitUsd());
            remove(current, key);
            return;
        }
        if (previous != null && (!previous.tenantId().equals(rule.get().tenantId())
                || !previous.budgetId().equals(rule.get().budgetId()))) {
            remove(current, key);
        }
        // replaces a changed budget in one swap of the tenant's list: readers never see it missing
        add(current, key, rule.get());
    }

    @Override
    public void remove(String key) {
        remove(state, key);
    }

    @Override
    public void replaceAll(Map<String, Budget> entries) {
        State fresh = new State(new ConcurrentHashMap<>(), new HashMap<>());
        entries.forEach((key, budget) -> BudgetRule.from(budget).ifPresent(rule -> add(fresh, key, rule)));
        state = fresh;
    }

    private static void add(State state, String key, BudgetRule rule) {
        state.keys.put(key, rule);
        state.byTenant.compute(rule.tenantId(), (tenant, budgets) -> {
            List<BudgetRule> updated = new ArrayList<>(budgets == null ? List.of() : budgets);
            updated.removeIf(existing -> existing.budgetId().equals(rule.budgetId()));
            updated.add(rule);
            updated.sort(BY_ID);
            return List.copyOf(updated);
        });
    }

    private static void remove(State state, String key) {
        BudgetRule removed = state.keys.remove(key);
        if (removed == null) {
            return;
        }
        state.byTenant.computeIfPresent(removed.tenantId(), (tenant, budgets) -> {
            List<BudgetRule> remaining = budgets.stream()
                    .filter(existing -> !existing.budgetId().equals(removed.budgetId())).toList();
            return remaining.isEmpty() ? null : remaining;
        });
    }

    /** Readers use {@code byTenant}; {@code keys} (store key to rule, for deletes) is touched only by the writer. */
    private record State(ConcurrentHashMap<String, List<BudgetRule>> byTenant, Map<String, BudgetRule> keys) {}
}
