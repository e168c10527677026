package io.budgetguard.metering.spend;

import io.budgetguard.common.auth.Principal;
import io.budgetguard.common.auth.Role;
import io.budgetguard.common.auth.TenantAuthenticator;
import io.budgetguard.metering.budget.BudgetIndex;
import io.budgetguard.metering.budget.BudgetRule;
import io.budgetguard.metering.http.Problems;
import io.budgetguard.metering.spend.SpendJson.BudgetSpendJson;
import io.budgetguard.metering.spend.SpendJson.TenantSpendJson;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * {@code GET /v1/spend?budget_id=&period=} (any role, viewer and up): live spend of the caller's own tenant from the
 * state stores. With {@code budget_id}, that budget (404 when the tenant has no such budget, whoever else might);
 * without, every budget of the tenant. {@code period} is a day inside the wanted period (default: today, UTC); each
 * budget answers for its own period (day, ISO week or month) containing it. The budget's definition (limit,
 * thresholds, scope) is its current one.
 *
 * <p>Any instance answers: the budget list is global, the spend lives with the task that owns the tenant's partition,
 * so a request reaching another instance is forwarded to the owner once ({@link SpendForwarder}). Reads are of the
 * live stores, which under exactly-once may include the records of the transaction in progress (up to one commit
 * interval ahead of what is committed); a crash aborts them, and the reprocessing counts the same events again.
 */
public final class SpendEndpoint implements Handler {

    private final TenantAuthenticator authenticator;
    private final BudgetIndex budgets;
    private final SpendLocator locator;
    private final SpendForwarder forwarder;
    private final String self;
    private final Clock clock;
    private final Duration spendRetention;
    private final BooleanSupplier viewsLoaded;

    /**
     * @param self           this instance's {@code host:port}, sent as {@code X-Served-By}
     * @param spendRetention how long after its end a period's totals are kept; older periods answer 404
     * @param viewsLoaded    true once the control-plane views (keys, tenants, budgets) were restored
     */
    public SpendEndpoint(TenantAuthenticator authenticator, BudgetIndex budgets, SpendLocator locator,
            SpendForwarder forwarder, String self, Clock clock, Duration spendRetention, BooleanSupplier viewsLoaded) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.locator = Objects.requireNonNull(locator, "locator");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
        this.self = Objects.requireNonNull(self, "self");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.spendRetention = Objects.requireNonNull(spendRetention, "spendRetention");
        this.viewsLoaded = Objects.requireNonNull(viewsLoaded, "viewsLoaded");
    }

    @Override
    public void handle(Context ctx) {
        if (!viewsLoaded.getAsBoolean()) {
            throw Problems.unavailable("metering-streams is starting: API keys and budgets are still loading");
        }
        // the client address is the TCP peer: no forwarding header is trusted (a request another instance forwards
        // here was authenticated there first)
        Principal caller = authenticator.authenticate(ctx.header("Authorization"), ctx.req().getRemoteAddr());
        caller.require(Role.VIEWER);
        SpendQuery query = SpendQuery.parse(ctx.queryParam("budget_id"), ctx.queryParam("period"));
        Instant now = clock.instant();
        LocalDate day = query.day().orElse(LocalDate.ofInstant(now, ZoneOffset.UTC));
        if (!day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(spendRetention).isAfter(now)) {
            throw Problems.notFound("Live spend is kept for " + spendRetention.toDays() + " days after a period ends;"
                    + " the ledger has older periods");
        }
        List<BudgetRule> rules = rulesOf(caller.tenantId(), query);
        if (rules.isEmpty()) {
            answer(ctx, query, List.of(), caller.tenantId());
            return;
        }
        TenantState state = locator.locate(caller.tenantId());
        if (state instanceof TenantState.Remote remote) {
            if (ctx.header(SpendForwarder.FORWARDED_BY) != null) {
                // the forwarding instance thought we own the tenant and we think it is elsewhere: ownership is moving
                throw Problems.unavailable("The tenant's partition is being reassigned; retry shortly");
            }
            forwarder.forward(ctx, remote.baseUrl());
        } else if (state instanceof TenantState.Local local) {
            Instant inPeriod = day.atStartOfDay(ZoneOffset.UTC).toInstant();
            List<BudgetSpend> spends = new ArrayList<>(rules.size());
            try {
                for (BudgetRule rule : rules) {
                    spends.add(local.reader().read(rule, rule.periodContaining(inPeriod)));
                }
            } catch (InvalidStateStoreException e) {
                throw Problems.unavailable("The tenant's state is being restored or moved; retry shortly");
            }
            answer(ctx, query, spends, caller.tenantId());
        } else {
            throw Problems.unavailable(((TenantState.Unavailable) state).reason() + "; retry shortly");
        }
    }

    private List<BudgetRule> rulesOf(String tenantId, SpendQuery query) {
        List<BudgetRule> all = budgets.budgetsOf(tenantId);
        if (query.budgetId().isEmpty()) {
            return all;
        }
        String budgetId = query.budgetId().get();
        List<BudgetRule> one = all.stream().filter(rule -> rule.budgetId().equals(budgetId)).toList();
        if (one.isEmpty()) {
            throw Problems.notFound("This tenant has no budget '" + budgetId + "'");
        }
        return one;
    }

    private void answer(Context ctx, SpendQuery query, List<BudgetSpend> spends, String tenantId) {
        ctx.header(SpendForwarder.SERVED_BY, self);
        List<BudgetSpendJson> json = spends.stream().map(BudgetSpendJson::of).toList();
        if (query.budgetId().isPresent()) {
            ctx.json(json.get(0));
        } else {
            ctx.json(new TenantSpendJson(tenantId, json));
        }
    }
}
