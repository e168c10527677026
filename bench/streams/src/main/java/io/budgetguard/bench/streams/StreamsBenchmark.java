package io.budgetguard.bench.streams;

import io.budgetguard.infra.local.EmbeddedKafka;
import io.budgetguard.infra.topics.TopicManifest;
import io.budgetguard.metering.MeteringConfig;
import io.budgetguard.metering.topology.ControlViews;
import io.budgetguard.metering.topology.MeteringSerdes;
import io.budgetguard.metering.topology.MeteringTopology;
import io.budgetguard.metering.topology.MeteringTopologyConfig;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.serde.SchemaBootstrap;
import io.budgetguard.schemas.topics.Topics;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench/run.sh streams}: on one embedded broker, preloads N Avro usage events to {@code usage.events.v1}
 * (6 partitions, lz4 batches as ingest writes them) and measures, on one stream thread with the service's exactly-once
 * settings, (a) a pass-through topology with one RocksDB dedup store and (b) the metering topology, over the same input;
 * alternating over a few rounds (medians reported, per-round ratios printed); then event → alert latency at a fixed rate,
 * the dedup store's footprint per event and the time to restore a metering instance from its changelogs. The schema
 * registry is in
 * memory (the HTTP registry's ids are cached, so its steady-state cost is the same). The last line is
 * {@code streams ratio=<b/a> priced_eps=… passthrough_eps=… alert_p50_ms=… alert_p99_ms=… … alert_host_steal_pct=…}.
 * Every measured phase also prints the machine's busy, idle and stolen shares of CPU time ({@link HostCpu}).
 */
public final class StreamsBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsBenchmark.class);

    private StreamsBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Path work = Files.createTempDirectory("bench-streams-");
        Path stateDir = work.resolve("state");
        // -Dbench.broker.<broker property>=<value> overrides the embedded broker's setting (experiments only)
        try (EmbeddedKafka kafka = EmbeddedKafka.create(0, work.resolve("kafka"), overrides("bench.broker.")).start();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            String bootstrap = kafka.bootstrapServers();
            TopicManifest.load().apply(admin);
            admin.createTopics(List.of(new NewTopic(PassThroughTopology.OUTPUT, 6, (short) 1))).all().get();
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            SchemaBootstrap.registerAll(registry);
            SampleData data = new SampleData();

            try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                List<String> tenants = new ArrayList<>();
                for (int i = 0; i < settings.tenants(); i++) {
                    tenants.add(SampleData.tenant("bench", i));
                }
                publishControl(producer, registry, data, tenants);
                long preloadStart = System.nanoTime();
                preload(producer, registry, data, tenants, settings.events());
                LOG.info("Preloaded {} events in {} ms", settings.events(), (System.nanoTime() - preloadStart) / 1_000_000);
                Map<TopicPartition, Long> end = endOffsets(admin);

                MeteringConfig base = MeteringConfig.defaults(bootstrap, "http://registry.invalid")
                        .withStateDir(stateDir).withCommitInterval(Duration.ofMillis(settings.commitIntervalMs()));
                MeteringTopologyConfig tuning = MeteringTopologyConfig.defaults();
                if (settings.warmup()) {
                    measure("warm-up pass-through", PassThroughTopology.build(tuning.dedupHorizon()),
                            base.withApplicationId("bench-warmup-passthrough"), admin, end, settings.events()).close();
                    measure("warm-up metering", MeteringTopology.build(MeteringSerdes.using(registry), tuning),
                            base.withApplicationId("bench-warmup-metering"), admin, end, settings.events()).close();
                }
                // Rounds alternate the two topologies, each on a fresh application over the same input: the machine's
                // background load drifts, and a pair measured close together shares it.
                List<Double> ratios = new ArrayList<>();
                List<Double> cpuRatios = new ArrayList<>();
                List<Measured> passThroughs = new ArrayList<>();
                List<Measured> meterings = new ArrayList<>();
                ControlViews views = null;
                Measured metering = null;
                for (int round = 1; round <= settings.rounds(); round++) {
                    LOG.info("Round {} of {} (load average {})", round, settings.rounds(), loadAverage());
                    if (metering != null) {
                        metering.close();
                    }
                    Measured passThrough = measure("pass-through (EOS v2, one RocksDB dedup store)",
                            PassThroughTopology.build(tuning.dedupHorizon()),
                            base.withApplicationId("bench-passthrough-" + round), admin, end, settings.events());
                    passThrough.close();
                    views = ControlViews.empty();
                    metering = measure("metering topology", MeteringTopology.build(MeteringSerdes.using(registry),
                            tuning, views), base.withApplicationId("bench-metering-" + round), admin, end,
                            settings.events());
                    passThroughs.add(passThrough);
                    meterings.add(metering);
                    ratios.add(metering.eventsPerSecond() / passThrough.eventsPerSecond());
                    cpuRatios.add(passThrough.processCpuMicrosPerEvent() / metering.processCpuMicrosPerEvent());
                    LOG.info("Round {}: ratio {} (CPU ratio {})", round, format2(ratios.get(ratios.size() - 1)),
                            format2(cpuRatios.get(cpuRatios.size() - 1)));
                }
                String lastApplication = "bench-metering-" + settings.rounds();

                // The alert path (alert, status, marks) runs only in this phase: unmeasured phases on tenants of their
                // own warm it up until the JIT is quiet, as a long-running instance is; their figures are printed, the
                // first one's p99 (the cold figure) is summarised.
                LatencyPhase warmup = null;
                int warmupSeconds = 0;
                for (int phase = 1; settings.latencyWarmupSeconds() > 0; phase++) {
                    LatencyPhase last = latencyPhase("warm-up " + phase, "lat-w" + phase,
                            settings.latencyWarmupSeconds(), producer, registry, data, settings, views, metering,
                            bootstrap);
                    warmup = warmup == null ? last : warmup;
                    warmupSeconds += settings.latencyWarmupSeconds();
                    if (warmedUp(settings, last.jitPercent(), warmupSeconds, "Alert latency")) {
                        break;
                    }
                }
                LatencyPhase measured = latencyPhase("measured", "lat", settings.latencySeconds(), producer,
                        registry, data, settings, views, metering, bootstrap);
                long latencyEvents = (long) settings.latencyRate() * (settings.latencySeconds() + warmupSeconds);
                metering.close();
                PassThroughLatencyRun.Result floor = settings.latencyFloor()
                        ? floorPhases(base.withApplicationId("bench-floor-passthrough"), tuning, producer, registry, data,
                                settings, bootstrap)
                        : null;

                DedupFootprint footprint = DedupFootprint.measure(stateDir, lastApplication,
                        MeteringTopology.DEDUP_STORE, admin, settings.events() + latencyEvents);
                LOG.info("Dedup store: {} ids, {} B of SST ({} B/id), {} B other files, changelog {} B ({} B/id)",
                        footprint.entries(), footprint.sstBytes(), format(footprint.sstBytesPerEntry()),
                        footprint.otherFileBytes(), footprint.changelogBytes(),
                        format(footprint.changelogBytesPerEntry()));
                long restoreMillis = -1;
                if (settings.restore()) {
                    RestoreRun.Result restored = RestoreRun.restore(MeteringTopology.build(
                            MeteringSerdes.using(registry), tuning), base.withApplicationId(lastApplication),
                            stateDir.resolve(lastApplication));
                    Duration restore = restored.elapsed();
                    restoreMillis = restore.toMillis();
                    LOG.info("Restore of every store of {} from its changelogs (local state deleted): {} records in {} "
                            + "ms ({} records/s)", lastApplication, restored.records(), restoreMillis,
                            Math.round(restored.records() / (restore.toNanos() / 1e9)));
                }

                double pricedEps = median(meterings.stream().map(Measured::eventsPerSecond).toList());
                double passThroughEps = median(passThroughs.stream().map(Measured::eventsPerSecond).toList());
                double pricedCpu = median(meterings.stream().map(Measured::processCpuMicrosPerEvent).toList());
                double passThroughCpu = median(passThroughs.stream().map(Measured::processCpuMicrosPerEvent).toList());
                System.out.printf(Locale.ROOT, "rounds ratios=%s cpu_ratios=%s%n", ratios.stream().map(
                        StreamsBenchmark::format2).toList(), cpuRatios.stream().map(StreamsBenchmark::format2).toList());
                System.out.printf(Locale.ROOT, "dedup_sst_bytes_per_id=%s dedup_changelog_bytes_per_id=%s "
                                + "restore_ms=%d%n", format(footprint.sstBytesPerEntry()),
                        format(footprint.changelogBytesPerEntry()), restoreMillis);
                System.out.printf(Locale.ROOT, "streams ratio=%.2f priced_eps=%d passthrough_eps=%d alert_p50_ms=%d "
                                + "alert_p99_ms=%d alert_warmup_p99_ms=%d cpu_ratio=%.2f priced_cpu_us=%.1f "
                                + "passthrough_cpu_us=%.1f alert_host_steal_pct=%.0f floor_p50_ms=%d floor_p99_ms=%d "
                                + "alert_warmup_s=%d alert_jit_pct=%.0f%n",
                        median(ratios), Math.round(pricedEps), Math.round(passThroughEps),
                        measured.latency().p50Millis(), measured.latency().p99Millis(),
                        warmup == null ? -1 : warmup.latency().p99Millis(), median(cpuRatios), pricedCpu,
                        passThroughCpu, measured.hostStealPct(), floor == null ? -1 : floor.p50Millis(),
                        floor == null ? -1 : floor.p99Millis(), warmupSeconds, measured.jitPercent());
            }
        } finally {
            deleteQuietly(work);
        }
        System.exit(0);
    }

    /** A measured application; still running (the metering one serves the latency phase) until closed. */
    private record Measured(StreamsRun run, long events, StreamsRun.Elapsed elapsed) implements AutoCloseable {
        double eventsPerSecond() {
            return events / (elapsed.wall().toNanos() / 1e9);
        }

        double processCpuMicrosPerEvent() {
            return elapsed.processCpu().toNanos() / 1e3 / events;
        }

        double streamThreadCpuMicrosPerEvent() {
            return elapsed.streamThreadCpu().toNanos() / 1e3 / events;
        }

        @Override
        public void close() {
            run.close();
        }
    }

    /** The service's Kafka Streams properties, with the experiment overrides applied. */
    private static Properties streamsProperties(MeteringConfig config) {
        Properties props = config.streamsProperties();
        // -Dbench.streams.<Kafka Streams property>=<value> overrides the service's setting (experiments only)
        props.putAll(overrides("bench.streams."));
        return props;
    }

    /** The system properties named {@code <prefix><name>}, as {@code name → value}. */
    private static Map<String, String> overrides(String prefix) {
        Map<String, String> overrides = new HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(property -> property.startsWith(prefix))
                .forEach(property -> overrides.put(property.substring(prefix.length()), System.getProperty(property)));
        return overrides;
    }

    private static Measured measure(String name, Topology topology, MeteringConfig config, Admin admin,
            Map<TopicPartition, Long> end, long events) throws InterruptedException {
        Properties props = streamsProperties(config);
        HostCpu hostBefore = HostCpu.now();
        StreamsRun run = StreamsRun.start(topology, props);
        StreamsRun.Elapsed elapsed = run.awaitCommitted(admin, end);
        Measured measured = new Measured(run, events, elapsed);
        LOG.info("{}: {} events in {} ms = {} events/s ({} µs/event); CPU per event: {} µs in the process, {} µs on "
                        + "the stream thread; {}", name, events, elapsed.wall().toMillis(),
                Math.round(measured.eventsPerSecond()), format(1e6 / measured.eventsPerSecond()),
                format(measured.processCpuMicrosPerEvent()), format(measured.streamThreadCpuMicrosPerEvent()),
                HostCpu.describe(hostBefore, HostCpu.now()));
        LOG.info("{}: CPU µs per event by thread group: {}", name,
                elapsed.threadsAfter().perEventSince(elapsed.threadsBefore(), events));
        return measured;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private static void publishControl(KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry,
            SampleData data, List<String> tenants) {
        AvroSerde<ModelPrice> prices = Topics.CONTROL_PRICES.valueSerde(registry);
        for (ModelPrice price : data.catalog()) {
            String key = price.getProvider() + "/" + price.getModel() + "/" + price.getVersion();
            producer.send(new ProducerRecord<>(Topics.CONTROL_PRICES.name(), key,
                    prices.serialize(Topics.CONTROL_PRICES.name(), price)));
        }
        for (String tenant : tenants) {
            data.budgetsOf(tenant).forEach(budget -> sendBudget(producer, registry, budget));
        }
        producer.flush();
    }

    private static void sendBudget(KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry,
            Budget budget) {
        producer.send(new ProducerRecord<>(Topics.CONTROL_BUDGETS.name(),
                budget.getTenantId() + "/" + budget.getBudgetId(),
                Topics.CONTROL_BUDGETS.valueSerde(registry).serialize(Topics.CONTROL_BUDGETS.name(), budget)));
    }

    /** N events over the tenants, occurred within the last hour (so in every budget's current period). */
    private static void preload(KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry,
            SampleData data, List<String> tenants, int events) {
        AvroSerde<UsageEvent> serde = Topics.USAGE_EVENTS.valueSerde(registry);
        SplittableRandom random = new SplittableRandom(7);
        long now = System.currentTimeMillis();
        for (int i = 0; i < events; i++) {
            String tenant = tenants.get(random.nextInt(tenants.size()));
            UsageEvent event = data.event(tenant, Instant.ofEpochMilli(now - random.nextLong(3_600_000)));
            byte[] bytes = serde.serialize(Topics.USAGE_EVENTS.name(), event);
            if (i == 0 && !PassThroughTopology.eventIdOf(bytes).equals(event.getEventId())) {
                throw new IllegalStateException("the pass-through reads a wrong event id: "
                        + PassThroughTopology.eventIdOf(bytes) + " instead of " + event.getEventId());
            }
            producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS.name(), tenant, bytes));
        }
        producer.flush();
    }

    /**
     * The alert latency's floor (see {@link PassThroughLatencyRun}): a fresh pass-through application that starts at
     * the input's end, warm-up phases by the alert phase's rule (until the JIT is quiet), then the measured phase; the
     * metering application is closed by then, so the two do not share the machine.
     */
    private static PassThroughLatencyRun.Result floorPhases(MeteringConfig config, MeteringTopologyConfig tuning,
            KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry, SampleData data,
            BenchSettings settings, String bootstrap) throws InterruptedException {
        Properties props = streamsProperties(config);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < settings.latencyTenants(); i++) {
            tenants.add(SampleData.tenant("floor", i));
        }
        try (StreamsRun run = StreamsRun.start(PassThroughTopology.build(tuning.dedupHorizon()), props)) {
            run.awaitRunning();
            int warmupSeconds = 0;
            for (int phase = 1; settings.latencyWarmupSeconds() > 0; phase++) {
                double jitPercent = floorPhase("warm-up " + phase, settings.latencyWarmupSeconds(), tenants, producer,
                        registry, data, settings, bootstrap).jitPercent();
                warmupSeconds += settings.latencyWarmupSeconds();
                if (warmedUp(settings, jitPercent, warmupSeconds, "Latency floor (pass-through)")) {
                    break;
                }
            }
            return floorPhase("measured", settings.latencySeconds(), tenants, producer, registry, data, settings,
                    bootstrap).result();
        }
    }

    private record FloorPhase(PassThroughLatencyRun.Result result, double jitPercent) {}

    private static FloorPhase floorPhase(String name, int seconds, List<String> tenants,
            KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry, SampleData data,
            BenchSettings settings, String bootstrap) throws InterruptedException {
        LOG.info("Latency floor (pass-through), {} phase of {} s (load average {})", name, seconds, loadAverage());
        PhaseMeter meter = PhaseMeter.start();
        PassThroughLatencyRun.Result result = PassThroughLatencyRun.run(bootstrap, registry, producer, data, tenants,
                settings.latencyRate(), seconds);
        PhaseMeter.Reading cost = meter.stop();
        LOG.info("Latency floor (pass-through), {}: {} events/s sent, {} records read, p50 {} ms, p99 {} ms, "
                        + "max {} ms", name, Math.round(result.sentPerSecond()), result.records(),
                result.p50Millis(), result.p99Millis(), result.maxMillis());
        LOG.info("Latency floor (pass-through), {}: CPU µs per event by thread group: {}", name,
                cost.cpuPerEvent((long) settings.latencyRate() * seconds));
        LOG.info("Latency floor (pass-through), {}: {}", name, cost.host());
        return new FloorPhase(result, cost.jitPercent());
    }

    /**
     * Whether the warm-up ends after a phase whose JIT used {@code jitPercent} of one core: when the JIT is quiet, or
     * when another phase would exceed the maximum warm-up (the measured phase then starts anyway, and says so).
     */
    private static boolean warmedUp(BenchSettings settings, double jitPercent, int warmupSeconds, String what) {
        if (jitPercent <= settings.jitQuietPercent()) {
            LOG.info("{}: warm-up done after {} s, the JIT at {} % of one core", what, warmupSeconds,
                    format(jitPercent));
            return true;
        }
        if (warmupSeconds + settings.latencyWarmupSeconds() > settings.latencyWarmupMaxSeconds()) {
            LOG.info("{}: warm-up stopped at its maximum of {} s with the JIT still at {} % of one core (above {} %)",
                    what, warmupSeconds, format(jitPercent), settings.jitQuietPercent());
            return true;
        }
        return false;
    }

    /**
     * One alert phase's figures, the share of the machine's time the hypervisor stole while it ran (-1: n/a) and the
     * share of one core the JIT compiler threads used.
     */
    private record LatencyPhase(AlertLatencyRun.Result latency, double hostStealPct, double jitPercent) {}

    /** Tenants of the latency phase, each with a daily budget whose thresholds 10 … 100 % it crosses evenly. */
    private static LatencyPhase latencyPhase(String name, String tenantPrefix, int seconds,
            KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry, SampleData data,
            BenchSettings settings, ControlViews views, Measured metering, String bootstrap)
            throws InterruptedException {
        List<String> tenants = latencyBudgets(producer, registry, data, settings, tenantPrefix, seconds);
        while (views.budgets().budgetsOf(tenants.get(tenants.size() - 1)).isEmpty()) {
            Thread.sleep(50);
        }
        LOG.info("Alert latency, {} phase of {} s (load average {})", name, seconds, loadAverage());
        StreamThreadTimes times = StreamThreadTimes.start(metering.run().streams());
        PhaseMeter meter = PhaseMeter.start();
        AlertLatencyRun.Result latency = AlertLatencyRun.run(bootstrap, registry, producer, data, tenants,
                settings.latencyRate(), seconds);
        PhaseMeter.Reading cost = meter.stop();
        long phaseEvents = (long) settings.latencyRate() * seconds;
        LOG.info("Alert latency, {}: {} events/s sent, {} alerts, p50 {} ms, p99 {} ms, max {} ms", name,
                Math.round(latency.sentPerSecond()), latency.alerts(), latency.p50Millis(), latency.p99Millis(),
                latency.maxMillis());
        LOG.info("Alert latency, {}: legs: event to emitted {}; emitted to read (commit, markers, fetch) {}", name,
                latency.toEmitted(), latency.emittedToRead());
        LOG.info("Alert latency, {}: worst (ms) of the alerts whose events occurred in each second: {}", name,
                latency.worstPerSecond());
        LOG.info("Alert latency, {}: stream thread {}", name, times.since(metering.run().streams()));
        // CPU per event at the fixed rate, whole process (includes the bench's own producer and alert reader): the
        // headroom the stream thread has on a shared host, steadier than the latency itself
        LOG.info("Alert latency, {}: CPU µs per event by thread group: {}", name, cost.cpuPerEvent(phaseEvents));
        // a stolen share of 20 % or more has moved this phase's latency by seconds on the same build
        LOG.info("Alert latency, {}: {}", name, cost.host());
        return new LatencyPhase(latency, cost.hostStealPct(), cost.jitPercent());
    }

    private static List<String> latencyBudgets(KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry,
            SampleData data, BenchSettings settings, String prefix, int seconds) {
        long eventsPerTenant = (long) settings.latencyRate() * seconds / settings.latencyTenants();
        ModelPrice price = data.catalog().get(0);
        BigDecimal costPerEvent = price.getInputPerMtok().multiply(BigDecimal.valueOf(1_000))
                .divide(BigDecimal.valueOf(1_000_000)).setScale(9, RoundingMode.HALF_EVEN);
        String limit = costPerEvent.multiply(BigDecimal.valueOf(eventsPerTenant)).toPlainString();
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < settings.latencyTenants(); i++) {
            String tenant = SampleData.tenant(prefix, i);
            tenants.add(tenant);
            sendBudget(producer, registry, SampleData.budget(tenant, "daily", limit, "daily",
                    List.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), null, null));
        }
        producer.flush();
        return tenants;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(Topics.USAGE_EVENTS.name())).allTopicNames().get()
                .get(Topics.USAGE_EVENTS.name()).partitions()
                .forEach(p -> latest.put(new TopicPartition(Topics.USAGE_EVENTS.name(), p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String loadAverage() {
        return String.format(Locale.ROOT, "%.2f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String format2(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (Exception e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }
}
