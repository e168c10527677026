package io.budgetguard.metering.testing;

import io.budgetguard.metering.budget.SpendTotals;
import io.budgetguard.metering.spend.SpendReader;
import io.budgetguard.metering.topology.ControlViews;
import io.budgetguard.metering.topology.MeteringMetrics;
import io.budgetguard.metering.topology.MeteringSerdes;
import io.budgetguard.metering.topology.MeteringTopology;
import io.budgetguard.metering.topology.MeteringTopologyConfig;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.RejectedUsage;
import io.budgetguard.schemas.SpendSnapshot;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The metering topology in a {@link TopologyTestDriver} with an in-memory schema registry. Stream time comes from
 * the record timestamps (an event's {@code received_at}); wall-clock time starts at {@link #WALL_CLOCK_START}, before
 * every event of the tests, and moves by one output interval after each event sent (so that coalesced snapshots and
 * statuses come out per event) or when a test advances it.
 */
public final class MeteringDriver implements AutoCloseable {

    public static final Instant WALL_CLOCK_START = Instant.parse("2025-12-01T00:00:00Z");

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final MeteringSerdes serdes = MeteringSerdes.using(registry);
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> usage;
    private final TestInputTopic<String, ModelPrice> prices;
    private final TestInputTopic<String, Budget> budgets;
    private final TestInputTopic<String, ApiKey> apiKeys;
    private final TestInputTopic<String, Tenant> tenants;
    private final ControlViews views = ControlViews.empty();
    private final Duration outputInterval;
    private final TestOutputTopic<String, PricedUsage> priced;
    private final TestOutputTopic<String, RejectedUsage> rejected;
    private final TestOutputTopic<String, BudgetAlert> alerts;
    private final TestOutputTopic<String, BudgetStatus> status;
    private final TestOutputTopic<String, SpendSnapshot> spend;

    public MeteringDriver() {
        this(MeteringTopologyConfig.defaults());
    }

    public MeteringDriver(MeteringTopologyConfig config) {
        outputInterval = config.outputInterval();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metering-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG,
                Path.of("target", "topology-test-state", UUID.randomUUID().toString()).toAbsolutePath().toString());
        // as the service sets it (Kafka 5 default): the global thread's processing errors go to the same handler
        props.put("processing.exception.handler.global.enabled", "true");
        driver = new TopologyTestDriver(MeteringTopology.build(serdes, config, views), props, WALL_CLOCK_START);
        StringSerializer keys = new StringSerializer();
        usage = driver.createInputTopic(Topics.USAGE_EVENTS.name(), keys, new ByteArraySerializer());
        prices = driver.createInputTopic(Topics.CONTROL_PRICES.name(), keys, serdes.modelPrice().serializer());
        budgets = driver.createInputTopic(Topics.CONTROL_BUDGETS.name(), keys, serdes.budget().serializer());
        apiKeys = driver.createInputTopic(Topics.CONTROL_APIKEYS.name(), keys, serdes.apiKey().serializer());
        tenants = driver.createInputTopic(Topics.CONTROL_TENANTS.name(), keys, serdes.tenant().serializer());
        priced = output(Topics.USAGE_PRICED.name(), serdes.pricedUsage());
        rejected = output(Topics.USAGE_REJECTED.name(), serdes.rejectedUsage());
        alerts = output(Topics.BUDGET_ALERTS.name(), serdes.budgetAlert());
        status = output(Topics.BUDGET_STATUS.name(), serdes.budgetStatus());
        spend = output(Topics.TENANT_SPEND.name(), serdes.spendSnapshot());
    }

    public MeteringDriver price(ModelPrice price) {
        prices.pipeInput(Fixtures.priceKey(price), price);
        return this;
    }

    public MeteringDriver deletePrice(String key) {
        prices.pipeInput(key, null);
        return this;
    }

    public MeteringDriver budget(Budget budget) {
        budgets.pipeInput(Fixtures.budgetKey(budget), budget);
        return this;
    }

    public MeteringDriver deleteBudget(String tenant, String budgetId) {
        budgets.pipeInput(tenant + "/" + budgetId, null);
        return this;
    }

    public MeteringDriver apiKey(ApiKey key) {
        apiKeys.pipeInput(key.getKeyId(), key);
        return this;
    }

    public MeteringDriver tenant(Tenant tenant) {
        tenants.pipeInput(tenant.getTenantId(), tenant);
        return this;
    }

    /** The control-plane views the topology keeps (budgets, prices, API keys, tenants). */
    public ControlViews views() {
        return views;
    }

    /** The spend totals and alert marks, as {@code GET /v1/spend} reads them. */
    public SpendReader spendReader() {
        KeyValueStore<String, SpendTotals> spendStore = driver.getKeyValueStore(MeteringTopology.SPEND_STORE);
        KeyValueStore<String, Long> alertedStore = driver.getKeyValueStore(MeteringTopology.ALERTED_STORE);
        return new SpendReader(spendStore, alertedStore);
    }

    /** Sends the event keyed by its tenant, stamped with its {@code received_at} (which drives stream time). */
    public MeteringDriver send(UsageEvent event) {
        return sendAt(event, event.getReceivedAt());
    }

    /**
     * Sends the event stamped {@code timestamp}, then lets one output interval of wall-clock time pass, so that the
     * coalesced spend snapshots and statuses it caused are emitted (as they would be within one commit).
     */
    public MeteringDriver sendAt(UsageEvent event, Instant timestamp) {
        usage.pipeInput(event.getTenantId(), encode(event), timestamp);
        driver.advanceWallClockTime(outputInterval);
        return this;
    }

    /** The event in the wire format, as ingest writes it. */
    public byte[] encode(UsageEvent event) {
        return serdes.usageEvent().serializer().serialize(Topics.USAGE_EVENTS.name(), event);
    }

    public MeteringDriver sendRaw(String key, byte[] value, Instant timestamp) {
        usage.pipeInput(key, value, timestamp);
        return this;
    }

    public MeteringDriver advanceWallClock(Duration duration) {
        driver.advanceWallClockTime(duration);
        return this;
    }

    public List<PricedUsage> priced() {
        return priced.readValuesToList();
    }

    public List<RejectedUsage> rejected() {
        return rejected.readValuesToList();
    }

    public List<BudgetAlert> alerts() {
        return alerts.readValuesToList();
    }

    public List<BudgetStatus> statuses() {
        return status.readValuesToList();
    }

    public List<KeyValue<String, SpendSnapshot>> spendSnapshots() {
        return spend.readKeyValuesToList();
    }

    /** The latest status emitted since the last read (statuses are a compacted topic: only the latest matters). */
    public BudgetStatus latestStatus() {
        List<BudgetStatus> all = statuses();
        if (all.isEmpty()) {
            throw new AssertionError("No budget status was emitted");
        }
        return all.get(all.size() - 1);
    }

    /** Total of the topology counter {@code name} (see {@link MeteringMetrics}). */
    public double counter(String name) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name + "-total")
                        && e.getKey().group().equals("stream-" + MeteringMetrics.SCOPE + "-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum();
    }

    public TopologyTestDriver driver() {
        return driver;
    }

    private <V> TestOutputTopic<String, V> output(String topic, Serde<V> serde) {
        return driver.createOutputTopic(topic, new StringDeserializer(), serde.deserializer());
    }

    @Override
    public void close() {
        driver.close();
    }
}
