package io.budgetguard.ingest.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.topics.Topics;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlPlaneViewTest {

    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
    private final ControlPlaneView view = new ControlPlaneView();

    private static Tenant tenant(String id, String status) {
        return new Tenant(id, "n", status, null, null, T, T);
    }

    private static Budget budget(String tenant, String id) {
        return new Budget(tenant, id, new BigDecimal("10.000000000"), "monthly", List.of(50, 80, 100), null, null, T);
    }

    @Test
    void shouldKeepTheLatestRecordPerKey() {
        view.apply(Topics.CONTROL_TENANTS.name(), "acme", tenant("acme", "active"), 0, 1);
        view.apply(Topics.CONTROL_TENANTS.name(), "acme", tenant("acme", "suspended"), 0, 2);

        assertThat(view.tenant("acme")).get().extracting(Tenant::getStatus).isEqualTo("suspended");
    }

    @Test
    void shouldNotRollBackToAnOlderOffset() {
        view.apply(Topics.CONTROL_TENANTS.name(), "acme", tenant("acme", "suspended"), 0, 7);
        view.apply(Topics.CONTROL_TENANTS.name(), "acme", tenant("acme", "active"), 0, 3);

        assertThat(view.tenant("acme")).get().extracting(Tenant::getStatus).isEqualTo("suspended");
    }

    @Test
    void shouldDeleteOnATombstone() {
        view.apply(Topics.CONTROL_BUDGETS.name(), "acme/b1", budget("acme", "b1"), 0, 1);
        view.apply(Topics.CONTROL_BUDGETS.name(), "acme/b1", null, 0, 2);

        assertThat(view.budget("acme", "b1")).isEmpty();
        assertThat(view.budgetsOf("acme")).isEmpty();
    }

    @Test
    void shouldNotResurrectWhatATombstoneDeleted() {
        view.apply(Topics.CONTROL_BUDGETS.name(), "acme/b1", null, 0, 9);
        view.apply(Topics.CONTROL_BUDGETS.name(), "acme/b1", budget("acme", "b1"), 0, 4);

        assertThat(view.budget("acme", "b1")).isEmpty();
    }

    @Test
    void shouldListOnlyTheTenantsOwnBudgets() {
        view.apply(Topics.CONTROL_BUDGETS.name(), "acme/b2", budget("acme", "b2"), 0, 1);
        view.apply(Topics.CONTROL_BUDGETS.name(), "acme/b1", budget("acme", "b1"), 0, 2);
        view.apply(Topics.CONTROL_BUDGETS.name(), "other/b1", budget("other", "b1"), 0, 3);

        assertThat(view.budgetsOf("acme")).extracting(Budget::getBudgetId).containsExactly("b1", "b2");
    }

    @Test
    void shouldReportOkWhenNoStatusIsKnown() {
        assertThat(view.budgetStatusHeader("acme")).isEqualTo("ok");
    }

    @Test
    void shouldReportTheTenantsBudgetStatus() {
        view.apply(Topics.BUDGET_STATUS.name(), "acme", new BudgetStatus("acme", "exceeded", T, List.of()), 3, 1);

        assertThat(view.budgetStatusHeader("acme")).isEqualTo("exceeded");
    }

    @Test
    void shouldNeverPassUnexpectedStatusTextIntoTheHeader() {
        view.apply(Topics.BUDGET_STATUS.name(), "acme", new BudgetStatus("acme", "ok\r\nX-Evil: 1", T, List.of()), 0, 1);

        assertThat(view.budgetStatusHeader("acme")).isEqualTo("ok");
    }

    @Test
    void shouldIgnoreRecordsOfOtherTopics() {
        view.apply("usage.events.v1", "acme", tenant("acme", "active"), 0, 1);

        assertThat(view.tenants()).isEmpty();
    }
}
