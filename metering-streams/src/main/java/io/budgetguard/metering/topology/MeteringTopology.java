package io.budgetguard.metering.topology;

import io.budgetguard.metering.budget.BudgetEvaluator;
import io.budgetguard.metering.budget.BudgetIndex;
import io.budgetguard.metering.budget.CoalescingKeyValueStore;
import io.budgetguard.metering.budget.SpendTotalsSerde;
import io.budgetguard.metering.control.ControlIndex;
import io.budgetguard.metering.control.ControlStoreUpdater;
import io.budgetguard.metering.pricing.PriceIndex;
import io.budgetguard.metering.pricing.UsagePricer;
import io.budgetguard.metering.serde.PricedUsageEncoder;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
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
 * control.apikeys.v1 → apikeys-updater (global store + in-memory key table, for GET /v1/spend)
 * control.tenants.v1 → tenants-updater (global store + in-memory tenant table, for GET /v1/spend)
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
    public static final String APIKEYS_SOURCE = "apikeys-source";
    public static final String APIKEYS_UPDATER = "apikeys-updater";
    public static final String TENANTS_SOURCE = "tenants-source";
    public static final String TENANTS_UPDATER = "tenants-updater";

    /** (tenant NUL event_id) → first-seen stream time; window store with retention = dedup horizon. */
    public static final String DEDUP_STORE = "usage-dedup-store";
    /** Spend totals per (tenant, day, API key, model); see {@link io.budgetguard.metering.budget.SpendByDay}. */
    public static final String SPEND_STORE = "spend-by-day-store";
    /** Marks of emitted alerts, so that each (budget, period, threshold) alerts exactly once. */
    public static final String ALERTED_STORE = "alerted-thresholds-store";
    /** Tenant → when its status must next be recomputed (the earliest end of its budgets' current periods). */
    public static final String STATUS_REFRESH_STORE = "status-refresh-store";
    /** Snapshots of ended periods (changed by late events) still to emit, kept across crashes. */
    public static final String PENDING_SNAPSHOTS_STORE = "pending-snapshots-store";
    public static final String PRICES_STORE = "prices-global-store";
    public static final String BUDGETS_STORE = "budgets-global-store";
    public static final String APIKEYS_STORE = "apikeys-global-store";
    public static final String TENANTS_STORE = "tenants-global-store";

    private MeteringTopology() {}

    /** The topology with fresh control-plane views (tests that do not read the views). */
    public static Topology build(MeteringSerdes serdes, MeteringTopologyConfig config) {
        return build(serdes, config, ControlViews.empty());
    }

    /**
     * The topology, keeping the control-plane topics in {@code views}: a new {@link ControlViews} per
     * {@code KafkaStreams} instance, shared by its global thread (the writer), its stream threads and its HTTP server.
     */
    public static Topology build(MeteringSerdes serdes, MeteringTopologyConfig config, ControlViews views) {
        Objects.requireNonNull(serdes, "serdes");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(views, "views");
        PriceIndex prices = views.prices();
        BudgetIndex budgets = views.budgets();
        Topology topology = new Topology();

        addControlStore(topology, PRICES_STORE, PRICES_SOURCE, PRICES_UPDATER, Topics.CONTROL_PRICES.name(),
                serdes.modelPrice().deserializer(), prices);
        addControlStore(topology, BUDGETS_STORE, BUDGETS_SOURCE, BUDGETS_UPDATER, Topics.CONTROL_BUDGETS.name(),
                serdes.budget().deserializer(), budgets);
        addControlStore(topology, APIKEYS_STORE, APIKEYS_SOURCE, APIKEYS_UPDATER, Topics.CONTROL_APIKEYS.name(),
                serdes.apiKey().deserializer(), views.apiKeys());
        addControlStore(topology, TENANTS_STORE, TENANTS_SOURCE, TENANTS_UPDATER, Topics.CONTROL_TENANTS.name(),
                serdes.tenant().deserializer(), views.tenants());

        topology.addSource(USAGE_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(),
                Topics.USAGE_EVENTS.name());
        topology.addProcessor(DECODE_USAGE, () -> new UsageDecoder(Topics.USAGE_EVENTS.name(),
                serdes.usageEventReader(), DEDUP_USAGE, REJECTED_SINK), USAGE_SOURCE);
        topology.addProcessor(DEDUP_USAGE, () -> new Deduplicator(DEDUP_STORE, config.dedupHorizon()), DECODE_USAGE);
        topology.addProcessor(PRICE_USAGE, () -> new UsagePricer(prices), DEDUP_USAGE);
        BudgetEvaluator.Wiring wiring = new BudgetEvaluator.Wiring(SPEND_STORE, ALERTED_STORE, STATUS_REFRESH_STORE,
                PENDING_SNAPSHOTS_STORE, ALERTS_SINK, STATUS_SINK, SPEND_SINK);
        BudgetEvaluator.Intervals intervals = new BudgetEvaluator.Intervals(config.spendRetention(),
                config.maintenanceInterval(), config.statusRefreshInterval(), config.outputInterval());
        topology.addProcessor(APPLY_BUDGETS, () -> new BudgetEvaluator(budgets, wiring, intervals), PRICE_USAGE);

        topology.addSink(REJECTED_SINK, Topics.USAGE_REJECTED.name(), new StringSerializer(),
                serdes.rejectedUsage().serializer(), DECODE_USAGE);
        topology.addSink(PRICED_SINK, Topics.USAGE_PRICED.name(), new StringSerializer(),
                new PricedUsageEncoder(serdes.pricedUsage()), PRICE_USAGE);
        topology.addSink(ALERTS_SINK, Topics.BUDGET_ALERTS.name(), new StringSerializer(),
                serdes.budgetAlert().serializer(), APPLY_BUDGETS);
        topology.addSink(STATUS_SINK, Topics.BUDGET_STATUS.name(), new StringSerializer(),
                serdes.budgetStatus().serializer(), APPLY_BUDGETS);
        topology.addSink(SPEND_SINK, Topics.TENANT_SPEND.name(), new StringSerializer(),
                serdes.spendSnapshot().serializer(), APPLY_BUDGETS);

        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(DEDUP_STORE, config.dedupHorizon(), Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()), DEDUP_USAGE);
        // a tenant's busy (day, key, model) totals change with many events: one write per commit, coalesced in a hash
        // map rather than in the record cache (see CoalescingKeyValueStore)
        topology.addStateStore(CoalescingKeyValueStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SPEND_STORE), Serdes.String(), new SpendTotalsSerde())), APPLY_BUDGETS);
        // Small stores (one entry per crossing, one per tenant): in memory, restored from their changelogs.
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ALERTED_STORE), Serdes.String(), Serdes.Long()), APPLY_BUDGETS);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STATUS_REFRESH_STORE), Serdes.String(), Serdes.Long())
                .withCachingEnabled(), APPLY_BUDGETS);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(PENDING_SNAPSHOTS_STORE), Serdes.String(), Serdes.Long()), APPLY_BUDGETS);
        return topology;
    }

    /** A global in-memory store of a compacted control topic (raw bytes) with its in-memory view. */
    private static <V> void addControlStore(Topology topology, String store, String source, String updater,
            String topic, Deserializer<V> deserializer, ControlIndex<V> index) {
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                source, new StringDeserializer(), new ByteArrayDeserializer(), topic,
                updater, () -> new ControlStoreUpdater<>(store, topic, deserializer, index));
    }
}
