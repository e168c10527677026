package io.budgetguard.metering.topology;

import io.budgetguard.metering.budget.BudgetEvaluator;
import io.budgetguard.metering.budget.BudgetIndex;
import io.budgetguard.metering.budget.SpendTotalsSerde;
import io.budgetguard.metering.control.ControlStoreUpdater;
import io.budgetguard.metering.pricing.PriceIndex;
import io.budgetguard.metering.pricing.UsagePricer;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The metering topology, a pure function of serdes and configuration (no Kafka client is created here).
 *
 * <pre>
 * usage.events.v1 (bytes) → decode-usage ─┬─→ rejected-sink (usage.rejected.v1)
 *                                         └─→ dedup-usage → price-usage ─┬─→ priced-sink (usage.priced.v1)
 *                                                                        └─→ apply-budgets ─┬─→ alerts-sink
 *                                                                                           ├─→ status-sink
 *                                                                                           └─→ spend-sink
 * control.prices.v1  → prices-updater  (global store + in-memory price index)
 * control.budgets.v1 → budgets-updater (global store + in-memory budget index)
 * </pre>
 *
 * Processor and store names are part of the contract: store names name the changelog topics.
 */
public final class MeteringTopology {

    public static final String USAGE_SOURCE = "usage-source";
    public static final String DECODE_USAGE = "decode-usage";
    public static final String DEDUP_USAGE = "dedup-usage";
    public static final String PRICE_USAGE = "price-usage";
    public static final String APPLY_BUDGETS = "apply-budgets";
    public static final String PRICED_SINK = "priced-sink";
    public static final String REJECTED_SINK = "rejected-sink";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String STATUS_SINK = "status-sink";
    public static final String SPEND_SINK = "spend-sink";
    public static final String PRICES_SOURCE = "prices-source";
    public static final String PRICES_UPDATER = "prices-updater";
    public static final String BUDGETS_SOURCE = "budgets-source";
    public static final String BUDGETS_UPDATER = "budgets-updater";

    /** (tenant NUL event_id) → first-seen stream time; window store with retention = dedup horizon. */
    public static final String DEDUP_STORE = "usage-dedup-store";
    /** Spend totals per (period, tenant, scope); see {@link io.budgetguard.metering.budget.StoreKeys#spend}. */
    public static final String SPEND_STORE = "spend-totals-store";
    /** Marks of emitted alerts, so that each (budget, period, threshold) alerts exactly once. */
    public static final String ALERTED_STORE = "alerted-thresholds-store";
    /** Tenant → when its status must next be recomputed (the earliest end of its budgets' current periods). */
    public static final String STATUS_REFRESH_STORE = "status-refresh-store";
    public static final String PRICES_STORE = "prices-global-store";
    public static final String BUDGETS_STORE = "budgets-global-store";

    private MeteringTopology() {}

    public static Topology build(MeteringSerdes serdes, MeteringTopologyConfig config) {
        Objects.requireNonNull(serdes, "serdes");
        Objects.requireNonNull(config, "config");
        // Shared by the global thread (writer) and the stream threads (readers) of one KafkaStreams instance.
        PriceIndex prices = new PriceIndex();
        BudgetIndex budgets = new BudgetIndex();
        Topology topology = new Topology();

        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PRICES_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                PRICES_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.CONTROL_PRICES.name(),
                PRICES_UPDATER, () -> new ControlStoreUpdater<>(PRICES_STORE, Topics.CONTROL_PRICES.name(),
                        serdes.modelPrice().deserializer(), prices));
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BUDGETS_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                BUDGETS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.CONTROL_BUDGETS.name(),
                BUDGETS_UPDATER, () -> new ControlStoreUpdater<>(BUDGETS_STORE, Topics.CONTROL_BUDGETS.name(),
                        serdes.budget().deserializer(), budgets));

        topology.addSource(USAGE_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(),
                Topics.USAGE_EVENTS.name());
        topology.addProcessor(DECODE_USAGE, () -> new UsageDecoder(Topics.USAGE_EVENTS.name(),
                serdes.usageEvent().deserializer(), DEDUP_USAGE, REJECTED_SINK), USAGE_SOURCE);
        topology.addProcessor(DEDUP_USAGE, () -> new Deduplicator(DEDUP_STORE, config.dedupHorizon()), DECODE_USAGE);
        topology.addProcessor(PRICE_USAGE, () -> new UsagePricer(prices), DEDUP_USAGE);
        BudgetEvaluator.Wiring wiring = new BudgetEvaluator.Wiring(SPEND_STORE, ALERTED_STORE, STATUS_REFRESH_STORE,
                ALERTS_SINK, STATUS_SINK, SPEND_SINK);
        topology.addProcessor(APPLY_BUDGETS, () -> new BudgetEvaluator(budgets, wiring, config.spendRetention(),
                config.maintenanceInterval(), config.statusRefreshInterval()), PRICE_USAGE);

        topology.addSink(REJECTED_SINK, Topics.USAGE_REJECTED.name(), new StringSerializer(),
                serdes.rejectedUsage().serializer(), DECODE_USAGE);
        topology.addSink(PRICED_SINK, Topics.USAGE_PRICED.name(), new StringSerializer(),
                serdes.pricedUsage().serializer(), PRICE_USAGE);
        topology.addSink(ALERTS_SINK, Topics.BUDGET_ALERTS.name(), new StringSerializer(),
                serdes.budgetAlert().serializer(), APPLY_BUDGETS);
        topology.addSink(STATUS_SINK, Topics.BUDGET_STATUS.name(), new StringSerializer(),
                serdes.budgetStatus().serializer(), APPLY_BUDGETS);
        topology.addSink(SPEND_SINK, Topics.TENANT_SPEND.name(), new StringSerializer(),
                serdes.spendSnapshot().serializer(), APPLY_BUDGETS);

        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(DEDUP_STORE, config.dedupHorizon(), Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()), DEDUP_USAGE);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SPEND_STORE), Serdes.String(), new SpendTotalsSerde())
                // the same few totals change with every event: the cache turns them into one write per commit
                .withCachingEnabled(), APPLY_BUDGETS);
        // Small stores (one entry per crossing, one per tenant): in memory, restored from their changelogs.
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ALERTED_STORE), Serdes.String(), Serdes.Long()), APPLY_BUDGETS);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STATUS_REFRESH_STORE), Serdes.String(), Serdes.Long())
                .withCachingEnabled(), APPLY_BUDGETS);
        return topology;
    }
}
