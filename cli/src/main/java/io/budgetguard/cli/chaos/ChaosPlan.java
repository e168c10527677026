package io.budgetguard.cli.chaos;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a chaos run sends, derived from a seed alone: the tenants, every distinct event (tenant, model, token counts,
 * whether it happened today or yesterday) and the budgets, whose limits are set from the planned spend so that some
 * thresholds are crossed and others not. Event times are fixed when the event is sent ({@link #occurredAt}).
 */
public final class ChaosPlan {

    /** provider/model and its weight; the last is not in the catalog (priced 0, flagged unpriced downstream). */
    static final List<String> MODELS = List.of("openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5",
            "anthropic/claude-haiku-4-5", "google/gemini-2.5-flash", "selfhosted/llama-chaos");
    private static final int[] MODEL_WEIGHTS = {30, 25, 20, 10, 13, 2};
    static final String NARROWED_MODEL = "gpt-4o";
    /** Monthly limit as a fraction of the tenant's planned spend: all thresholds, all, only 50 %, none. */
    private static final double[] MONTHLY_FACTORS = {0.6, 0.9, 1.3, 2.5};
    /** Daily gpt-4o limit as a fraction of today's planned gpt-4o spend. */
    private static final double[] DAILY_FACTORS = {0.7, 1.6, 3.0};
    /** Share of events dated yesterday: they count in yesterday's daily period (late alerts). */
    private static final double YESTERDAY = 0.1;

    /** A planned event; {@code daysAgo} 0 or 1. */
    public record Planned(int index, String tenant, String eventId, int daysAgo, String provider, String model,
            long input, long cachedInput, long cacheWrite, long output, long reasoning) {

        public ChaosEvent at(Instant sentAt) {
            return new ChaosEvent(tenant, eventId, occurredAt(sentAt, daysAgo), provider, model, input, cachedInput,
                    cacheWrite, output, reasoning);
        }
    }

    private final long seed;
    private final List<String> tenants;
    private final List<Planned> events;
    private final List<BudgetDef> budgets;

    private ChaosPlan(long seed, List<String> tenants, List<Planned> events, List<BudgetDef> budgets) {
        this.seed = seed;
        this.tenants = tenants;
        this.events = events;
        this.budgets = budgets;
    }

    public static ChaosPlan generate(long seed, int eventCount, int tenantCount, Prices prices) {
        if (eventCount < 1 || tenantCount < 1) {
            throw new IllegalArgumentException("need at least one event and one tenant");
        }
        SplittableRandom random = new SplittableRandom(seed);
        String tag = Long.toString(seed & Long.MAX_VALUE, 36);
        List<String> tenants = new ArrayList<>();
        for (int t = 1; t <= tenantCount; t++) {
            tenants.add("chaos-" + tag + "-t" + t);
        }
        int weightSum = 0;
        for (int w : MODEL_WEIGHTS) {
            weightSum += w;
        }
        List<Planned> events = new ArrayList<>(eventCount);
        Map<String, BigDecimal> plannedSpend = new HashMap<>();
        Map<String, BigDecimal> plannedTodayNarrowed = new HashMap<>();
        for (int i = 0; i < eventCount; i++) {
            String tenant = tenants.get(random.nextInt(tenantCount));
            String[] pm = pick(random, weightSum).split("/", 2);
            boolean anthropic = pm[0].equals("anthropic");
            long input = 50 + random.nextInt(4_000);
            long cached = random.nextInt(4) == 0 ? random.nextInt(3_000) : 0;
            long cacheWrite = anthropic && random.nextInt(3) == 0 ? random.nextInt(1_500) : 0;
            long output = 1 + random.nextInt(1_200);
            long reasoning = random.nextInt(5) == 0 ? random.nextInt((int) output + 1) : 0;
            int daysAgo = random.nextDouble() < YESTERDAY ? 1 : 0;
            Planned planned = new Planned(i, tenant, "chaos-" + tag + "-" + i, daysAgo, pm[0], pm[1], input, cached,
                    cacheWrite, output, reasoning);
            events.add(planned);
            BigDecimal cost = prices.cost(planned.at(Instant.EPOCH));
            plannedSpend.merge(tenant, cost, BigDecimal::add);
            if (daysAgo == 0 && pm[1].equals(NARROWED_MODEL)) {
                plannedTodayNarrowed.merge(tenant, cost, BigDecimal::add);
            }
        }
        List<BudgetDef> budgets = new ArrayList<>();
        for (int t = 0; t < tenantCount; t++) {
            String tenant = tenants.get(t);
            budgets.add(new BudgetDef(tenant, "monthly", "monthly",
                    limit(plannedSpend.get(tenant), MONTHLY_FACTORS[t % MONTHLY_FACTORS.length]), List.of(50, 80, 100), null));
            budgets.add(new BudgetDef(tenant, "daily-4o", "daily",
                    limit(plannedTodayNarrowed.get(tenant), DAILY_FACTORS[t % DAILY_FACTORS.length]), List.of(25, 50, 75, 100),
                    NARROWED_MODEL));
        }
        return new ChaosPlan(seed, List.copyOf(tenants), List.copyOf(events), List.copyOf(budgets));
    }

    /** {@code sentAt} to the millisecond, minus {@code daysAgo} days. */
    static Instant occurredAt(Instant sentAt, int daysAgo) {
        return Instant.ofEpochMilli(sentAt.toEpochMilli()).minus(Duration.ofDays(daysAgo));
    }

    private static String pick(SplittableRandom random, int weightSum) {
        int roll = random.nextInt(weightSum);
        for (int m = 0; m < MODELS.size(); m++) {
            roll -= MODEL_WEIGHTS[m];
            if (roll < 0) {
                return MODELS.get(m);
            }
        }
        throw new AssertionError();
    }

    private static BigDecimal limit(BigDecimal planned, double factor) {
        BigDecimal base = planned == null ? BigDecimal.ONE : planned;
        BigDecimal limit = base.multiply(BigDecimal.valueOf(factor)).setScale(2, RoundingMode.HALF_UP);
        return limit.signum() > 0 ? limit : new BigDecimal("0.01");
    }

    public long seed() {
        return seed;
    }

    public List<String> tenants() {
        return tenants;
    }

    public List<Planned> events() {
        return events;
    }

    public List<BudgetDef> budgets() {
        return budgets;
    }
}
