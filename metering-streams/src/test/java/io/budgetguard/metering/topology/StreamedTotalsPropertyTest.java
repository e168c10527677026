package io.budgetguard.metering.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.metering.budget.BudgetRule;
import io.budgetguard.metering.budget.SpendTotals;
import io.budgetguard.metering.testing.Fixtures;
import io.budgetguard.metering.testing.MeteringDriver;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for any sequence of events — several tenants, API keys, models (one never priced), price versions with
 * random prices and effective dates (ties included), budgets of every period kind and scope, duplicates, late events —
 * what the topology streams equals an independent recomputation: every first copy priced with the version in force at
 * its {@code occurred_at} and nothing else, every budget period's spend, count and tokens to the last 1e-9 USD, and
 * exactly one alert per (budget, period, threshold) carrying the event that crossed, the spend after it and its
 * lateness.
 *
 * <p>Plain JUnit over seeded random cases (a failing seed is in the test name and replays exactly). The model below
 * shares no code with the topology: it recomputes periods with {@code java.time}, costs with exact division, budget
 * matching and thresholds from the control records.
 */
class StreamedTotalsPropertyTest {

    private static final int CASES = 40;
    private static final List<Instant> ANCHORS = List.of(
            Instant.parse("2026-01-31T20:00:00Z"),   // month end
            Instant.parse("2028-02-28T20:00:00Z"),   // leap day
            Instant.parse("2026-12-31T20:00:00Z"),   // year end inside ISO week 53
            Instant.parse("2026-06-14T20:00:00Z"));  // an ordinary Sunday night
    private static final String PROVIDER = Fixtures.PROVIDER;
    private static final List<String> PRICED_MODELS = List.of("m-alpha", "m-beta", "m-gamma");
    private static final String UNPRICED_MODEL = "m-unknown";
    private static final List<Integer> THRESHOLD_CHOICES = List.of(1, 10, 33, 50, 80, 99, 100, 150);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    static Stream<Long> seeds() {
        return LongStream.rangeClosed(1, CASES).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldStreamWhatAnIndependentRecomputationGives(long seed) {
        Scenario scenario = Scenario.random(new Random(seed));
        Model model = new Model(scenario);

        try (MeteringDriver metering = new MeteringDriver(MeteringTopologyConfig.defaults()
                .withDedupHorizon(Duration.ofDays(30)))) {
            scenario.prices.forEach(metering::price);
            scenario.budgets.forEach(metering::budget);
            for (Sent sent : scenario.sent) {
                metering.sendAt(sent.event(), sent.timestamp());
            }

            assertThat(metering.priced()).extracting(StreamedTotalsPropertyTest::pricedView)
                    .as("priced events (seed %d)", seed).containsExactlyElementsOf(model.priced);
            assertThat(metering.alerts()).extracting(StreamedTotalsPropertyTest::alertView)
                    .as("alerts (seed %d)", seed).containsExactlyElementsOf(model.alerts);
            for (Map.Entry<PeriodKey, Totals> expected : model.totals.entrySet()) {
                PeriodKey key = expected.getKey();
                BudgetRule rule = metering.views().budgets().budgetsOf(key.tenant()).stream()
                        .filter(r -> r.budgetId().equals(key.budgetId())).findFirst().orElseThrow();
                SpendTotals streamed = metering.spendReader().read(rule, rule.periodContaining(key.start())).totals();
                assertThat(Totals.of(streamed)).as("%s (seed %d)", key, seed).isEqualTo(expected.getValue());
            }
        }
    }

    /** Guards the generator: over all seeds, the cases the property is about do occur. */
    @org.junit.jupiter.api.Test
    void shouldGenerateDuplicatesLateEventsUnpricedEventsPriceTiesAndAlertsAcrossTheSeeds() {
        int duplicates = 0;
        int lateAlerts = 0;
        int unpriced = 0;
        int ties = 0;
        int alerts = 0;
        int narrowedBudgets = 0;
        for (long seed = 1; seed <= CASES; seed++) {
            Scenario scenario = Scenario.random(new Random(seed));
            Model model = new Model(scenario);
            duplicates += scenario.sent().size() - (int) scenario.sent().stream()
                    .map(sent -> sent.event().getTenantId() + "/" + sent.event().getEventId()).distinct().count();
            lateAlerts += (int) model.alerts.stream().filter(alert -> alert.endsWith(" late")).count();
            alerts += model.alerts.size();
            unpriced += (int) model.priced.stream().filter(priced -> priced.endsWith(" unpriced")).count();
            ties += scenario.prices().size() - (int) scenario.prices().stream()
                    .map(p -> p.getModel() + "@" + p.getEffectiveFrom()).distinct().count();
            narrowedBudgets += (int) scenario.budgets().stream()
                    .filter(b -> b.getApiKeyId() != null || b.getModel() != null).count();
        }

        assertThat(List.of(duplicates, lateAlerts, unpriced, ties, alerts, narrowedBudgets)).allSatisfy(
                count -> assertThat(count).isPositive());
    }

    private static String pricedView(PricedUsage p) {
        return p.getTenantId() + " " + p.getEventId() + " " + p.getCostUsd().toPlainString() + " "
                + p.getPriceVersion() + (p.getUnpriced() ? " unpriced" : "");
    }

    private static String alertView(BudgetAlert a) {
        return a.getAlertId() + " by " + a.getEventId() + " at " + a.getSpendUsd().toPlainString()
                + (a.getLate() ? " late" : "");
    }

    /** One record sent to usage.events.v1, with its record timestamp (which drives stream time). */
    private record Sent(UsageEvent event, Instant timestamp) {}

    /** The control records and the input, drawn from one seed. */
    private record Scenario(List<ModelPrice> prices, List<Budget> budgets, List<Sent> sent) {

        static Scenario random(Random random) {
            Instant anchor = ANCHORS.get(random.nextInt(ANCHORS.size()));
            List<String> tenants = List.of("t-a", "t-b", "t-c").subList(0, 1 + random.nextInt(3));
            List<String> keys = List.of("kalpha", "kbeta", "kgamma").subList(0, 1 + random.nextInt(3));
            List<String> models = new ArrayList<>(PRICED_MODELS);
            models.add(UNPRICED_MODEL);

            List<ModelPrice> prices = new ArrayList<>();
            for (String model : PRICED_MODELS) {
                Instant previous = null;
                for (int v = 1; v <= 1 + random.nextInt(3); v++) {
                    Instant from = previous != null && random.nextInt(6) == 0 ? previous // a tie: greater label wins
                            : anchor.plusMillis(randomMillis(random, Duration.ofDays(14)));
                    previous = from;
                    prices.add(Fixtures.price(PROVIDER, model, "v" + v, from, money(random, 75, 6),
                            money(random, 10, 6), money(random, 20, 6), money(random, 150, 6)));
                }
            }

            List<Budget> budgets = new ArrayList<>();
            for (String tenant : tenants) {
                for (int b = 0; b < 1 + random.nextInt(4); b++) {
                    String period = List.of("daily", "weekly", "monthly").get(random.nextInt(3));
                    String key = random.nextInt(3) == 0 ? keys.get(random.nextInt(keys.size())) : null;
                    String model = random.nextInt(3) == 0 ? models.get(random.nextInt(models.size())) : null;
                    List<Integer> thresholds = new ArrayList<>();
                    for (int t = 0; t < random.nextInt(5); t++) {
                        thresholds.add(THRESHOLD_CHOICES.get(random.nextInt(THRESHOLD_CHOICES.size())));
                    }
                    budgets.add(Fixtures.budget(tenant, "b" + b, money(random, 3, 9), period, thresholds, key, model));
                }
            }

            List<Sent> sent = new ArrayList<>();
            Map<String, Integer> nextId = new HashMap<>();
            Instant clock = anchor.minus(Duration.ofDays(3));
            int events = 20 + random.nextInt(100);
            for (int i = 0; i < events; i++) {
                clock = clock.plusMillis((long) (random.nextDouble() * Duration.ofHours(2).toMillis()));
                if (!sent.isEmpty() && random.nextInt(5) == 0) {
                    Sent copy = sent.get(random.nextInt(sent.size()));
                    sent.add(new Sent(copy.event(), clock));            // a duplicate, later
                    continue;
                }
                String tenant = tenants.get(random.nextInt(tenants.size()));
                int id = nextId.merge(tenant, 1, Integer::sum);        // the same ids recur across tenants
                Instant occurred = random.nextInt(10) == 0
                        ? clock.minusMillis(Math.abs(randomMillis(random, Duration.ofDays(30))))
                        : anchor.plusMillis(randomMillis(random, Duration.ofDays(4)));
                UsageEvent event = UsageEvent.newBuilder(Fixtures.event(tenant, keys.get(random.nextInt(keys.size())),
                                "e" + id, occurred, models.get(random.nextInt(models.size())), tokens(random)))
                        .setCachedInputTokens(tokens(random))
                        .setCacheWriteTokens(tokens(random))
                        .setOutputTokens(tokens(random))
                        .setReceivedAt(clock)
                        .build();
                sent.add(new Sent(event, clock));
            }
            return new Scenario(prices, budgets, sent);
        }

        /** Uniform in [-span, +span] milliseconds. */
        private static long randomMillis(Random random, Duration span) {
            return (long) ((random.nextDouble() * 2 - 1) * span.toMillis());
        }

        private static long tokens(Random random) {
            return switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000);
                default -> random.nextInt(3_000_000);
            };
        }

        /** A decimal in [0, max) with up to {@code maxScale} fraction digits, as a string. */
        private static String money(Random random, int max, int maxScale) {
            return BigDecimal.valueOf(random.nextDouble() * max).setScale(random.nextInt(maxScale + 1),
                    RoundingMode.DOWN).toPlainString();
        }
    }

    /** A budget's period, by tenant, budget id and period start. */
    private record PeriodKey(String tenant, String budgetId, Instant start) {}

    /** Spend, count and tokens, compared exactly (spend at scale 9). */
    private record Totals(BigDecimal spend, long count, long input, long cached, long cacheWrite, long output) {

        static final Totals ZERO = new Totals(BigDecimal.ZERO.setScale(9), 0, 0, 0, 0, 0);

        static Totals of(SpendTotals t) {
            return new Totals(t.spendUsd(), t.eventCount(), t.inputTokens(), t.cachedInputTokens(),
                    t.cacheWriteTokens(), t.outputTokens());
        }

        Totals plus(UsageEvent e, BigDecimal cost) {
            return new Totals(spend.add(cost), count + 1, input + e.getInputTokens(),
                    cached + e.getCachedInputTokens(), cacheWrite + e.getCacheWriteTokens(), output + e.getOutputTokens());
        }
    }

    /** The independent recomputation. */
    private static final class Model {

        final List<String> priced = new ArrayList<>();
        final List<String> alerts = new ArrayList<>();
        final Map<PeriodKey, Totals> totals = new LinkedHashMap<>();

        Model(Scenario scenario) {
            List<Budget> budgets = new ArrayList<>(scenario.budgets());
            budgets.sort(Comparator.comparing(Budget::getBudgetId));
            Set<String> seen = new HashSet<>();
            Set<String> alerted = new HashSet<>();
            Instant streamTime = Instant.MIN;
            for (Sent sent : scenario.sent()) {
                streamTime = sent.timestamp().isAfter(streamTime) ? sent.timestamp() : streamTime;
                UsageEvent e = sent.event();
                if (!seen.add(e.getTenantId() + "/" + e.getEventId())) {
                    continue;
                }
                ModelPrice price = priceAt(scenario.prices(), e.getModel(), e.getOccurredAt());
                BigDecimal cost = price == null ? BigDecimal.ZERO.setScale(9)
                        : classCost(e.getInputTokens(), price.getInputPerMtok())
                        .add(classCost(e.getCachedInputTokens(), price.getCachedInputPerMtok()))
                        .add(classCost(e.getCacheWriteTokens(), price.getCacheWritePerMtok()))
                        .add(classCost(e.getOutputTokens(), price.getOutputPerMtok()));
                priced.add(e.getTenantId() + " " + e.getEventId() + " " + cost.toPlainString() + " "
                        + (price == null ? "" : price.getVersion()) + (price == null ? " unpriced" : ""));
                for (Budget budget : budgets) {
                    if (!budget.getTenantId().equals(e.getTenantId())
                            || budget.getApiKeyId() != null && !budget.getApiKeyId().equals(e.getApiKeyId())
                            || budget.getModel() != null && !budget.getModel().equals(e.getModel())) {
                        continue;
                    }
                    Instant[] period = period(budget.getPeriod(), e.getOccurredAt());
                    PeriodKey key = new PeriodKey(budget.getTenantId(), budget.getBudgetId(), period[0]);
                    Totals after = totals.getOrDefault(key, Totals.ZERO).plus(e, cost);
                    totals.put(key, after);
                    for (int threshold : thresholds(budget)) {
                        String alertId = key.tenant() + "/" + key.budgetId() + "/" + period[0] + "/" + threshold;
                        boolean reached = after.spend().signum() > 0 && after.spend().multiply(HUNDRED)
                                .compareTo(budget.getLimitUsd().multiply(BigDecimal.valueOf(threshold))) >= 0;
                        if (reached && alerted.add(alertId)) {
                            alerts.add(alertId + " by " + e.getEventId() + " at " + after.spend().toPlainString()
                                    + (!streamTime.isBefore(period[1]) ? " late" : ""));
                        }
                    }
                }
            }
        }

        /** The version with the latest effective_from not after {@code at}; the greater label on a tie. */
        private static ModelPrice priceAt(List<ModelPrice> prices, String model, Instant at) {
            return prices.stream()
                    .filter(p -> p.getModel().equals(model) && !p.getEffectiveFrom().isAfter(at))
                    .max(Comparator.comparing(ModelPrice::getEffectiveFrom).thenComparing(ModelPrice::getVersion))
                    .orElse(null);
        }

        private static BigDecimal classCost(long tokens, BigDecimal perMillion) {
            return BigDecimal.valueOf(tokens).multiply(perMillion).divide(MILLION).setScale(9, RoundingMode.HALF_EVEN);
        }

        private static Instant[] period(String kind, Instant at) {
            LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
            LocalDate start;
            LocalDate end;
            switch (kind) {
                case "daily" -> {
                    start = day;
                    end = day.plusDays(1);
                }
                case "weekly" -> {
                    start = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                    end = start.plusDays(7);
                }
                default -> {
                    start = day.withDayOfMonth(1);
                    end = start.plusMonths(1);
                }
            }
            return new Instant[] {start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                    end.atStartOfDay(ZoneOffset.UTC).toInstant()};
        }

        private static List<Integer> thresholds(Budget budget) {
            TreeSet<Integer> positive = new TreeSet<>();
            budget.getThresholds().stream().filter(t -> t > 0).forEach(positive::add);
            return positive.isEmpty() ? List.of(50, 80, 100) : List.copyOf(positive);
        }
    }
}
