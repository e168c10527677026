package io.budgetguard.bench.ingest;

import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.HttpSchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run.sh ingest}: on one embedded broker, in one run, (a) the raw Kafka producer rate with ingest's
 * producer settings and record size, (b) events/s through HTTP ingest with batched requests, (c) single-event POST
 * latency at a constant arrival rate, and then the floors of that latency at the same rate, warm-up and open loop:
 * (d1) Kafka alone (a producer with the settings of ingest's small-request producer, send to acknowledgement) and
 * (d2) HTTP alone (the same generator and connections against {@code GET /health/live} of the same instance). Each
 * measured phase also prints the share of the machine's time the hypervisor stole ({@link HostCpu}). The last line is
 * the machine-readable summary: {@code ingest ratio=<(b) ÷ (a)> http_eps=… raw_eps=… single_p50_ms=… single_p99_ms=…
 * single_rps=… single_warmup_p99_ms=… floor_kafka_p99_ms=… floor_http_p99_ms=… single_host_steal_pct=…}.
 *
 * <p>Everything — broker, ingest, load generator — shares this JVM and the machine's cores, as in the product's
 * quality bars ("a 2-core machine with every component on it").
 */
public final class IngestBenchmark {

    private static final String RAW_TOPIC = "bench.raw.v1";

    private IngestBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        System.out.println("settings: " + settings + ", cores=" + Runtime.getRuntime().availableProcessors()
                + ", java=" + System.getProperty("java.version"));
        try (BenchStack stack = BenchStack.start()) {
            // created first: a partition that has just got its leader answers NOT_LEADER for a moment, and the
            // idempotent producer's retries then fail records with OutOfOrderSequence
            stack.createTopicLikeUsageEvents(RAW_TOPIC);
            String ingestUrl = stack.ingest("main", settings.lingerMs(), settings.singleLingerMs());
            List<BenchStack.Tenant> tenants = stack.createTenants(ingestUrl, "bench", settings.tenants());
            SampleEvents samples = new SampleEvents();
            for (BenchStack.Tenant tenant : tenants) {
                awaitAccepted(ingestUrl, tenant, samples);
            }

            System.out.println("load average at start: " + loadAverage());
            // (a) raw producer: the same Avro bytes ingest produces, keyed by the same tenants
            AvroSerde<UsageEvent> serde = Topics.USAGE_EVENTS.valueSerde(new HttpSchemaRegistry(stack.registry.ccompatUrl()));
            List<byte[]> values = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < 20_000; i++) {
                BenchStack.Tenant tenant = tenants.get(i % tenants.size());
                byte[] value = serde.serialize(Topics.USAGE_EVENTS.name(), samples.avro(tenant.id(), tenant.keyId(), "raw-" + i));
                values.add(value);
                bytes += value.length;
            }
            int jsonBytes = samples.json("b0-0-123").length();
            System.out.printf(Locale.ROOT, "record: Avro value %.0f bytes on average (JSON event ~%d bytes), key = tenant id%n",
                    (double) bytes / values.size(), jsonBytes);
            Thread.sleep(2000); // let the new topic settle (see above)
            List<String> keys = tenants.stream().map(BenchStack.Tenant::id).toList();
            List<Double> rawRates = new ArrayList<>();
            List<Double> httpRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= settings.rounds(); round++) {
                RawProducerRun.Result raw = RawProducerRun.run(stack.kafka.bootstrapServers(), RAW_TOPIC, keys, values,
                        settings.lingerMs(), round == 1 ? settings.rawWarmup() : 50_000, settings.rawRecords());
                System.out.printf(Locale.ROOT, "(a) round %d raw producer: %d records in %.2f s = %.0f records/s, CPU %.0f %% of"
                                + " all cores (%.1f µs CPU/record), errors %d, %s%n", round,
                        raw.records(), raw.seconds(), raw.eventsPerSecond(), raw.cpuPercent(), raw.cpuMicrosPerRecord(),
                        raw.errors(), raw.host());

                BatchedHttpRun.Result batched = BatchedHttpRun.run(ingestUrl, tenants, samples,
                        settings.httpConnections(), settings.httpBatch(), round == 1 ? settings.httpWarmupS() : 1,
                        settings.httpSeconds());
                System.out.printf(Locale.ROOT, "(b) round %d HTTP ingest: %d events in %.2f s = %.0f events/s (%d requests of"
                                + " %d events, %d connections, %d errors), CPU %.0f %% of all cores (%.1f µs CPU/event), %s%s%n",
                        round, batched.events(), batched.seconds(), batched.eventsPerSecond(), batched.requests(),
                        settings.httpBatch(), settings.httpConnections(), batched.errors(), batched.cpuPercent(),
                        batched.cpuMicrosPerEvent(), batched.host(),
                        batched.firstError() == null ? "" : "; first error: " + batched.firstError());
                System.out.println("(b) round " + round + " µs CPU per event by thread group: " + batched.cpuByThreadGroup());
                rawRates.add(raw.eventsPerSecond());
                httpRates.add(batched.eventsPerSecond());
                ratios.add(batched.eventsPerSecond() / raw.eventsPerSecond());
            }
            double rawEps = median(rawRates);
            double httpEps = median(httpRates);
            double ratio = median(ratios);
            System.out.printf(Locale.ROOT, "(a)/(b) medians of %d rounds: raw %.0f records/s, HTTP %.0f events/s, ratio %.3f"
                    + " (per round: %s)%n", settings.rounds(), rawEps, httpEps, ratio, ratios.stream()
                    .map(r -> String.format(Locale.ROOT, "%.3f", r)).collect(java.util.stream.Collectors.joining(" ")));

            // (c) single-event latency, open loop
            String singleUrl = stack.ingest(Boolean.getBoolean("bench.singleOwnInstance") ? "single" : "main",
                    settings.lingerMs(), settings.singleLingerMs());
            BenchStack.Tenant single = stack.createTenants(singleUrl, "single", 1).get(0);
            awaitAccepted(singleUrl, single, samples);
            SingleEventLatencyRun.Result latency = SingleEventLatencyRun.run(singleUrl, single, samples,
                    settings.singleRps(), settings.singleWarmupS(), settings.singleSeconds(), settings.singleConnections());
            print("(c) single-event POST at " + settings.singleRps() + " req/s (open loop, INGEST_SMALL_LINGER_MS="
                    + settings.singleLingerMs() + ")", latency, settings.singleWarmupS());

            // (d) the floors of (c)'s latency, at the same rate, warm-up and open loop, on the same broker and instance
            List<byte[]> singleValues = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                singleValues.add(serde.serialize(Topics.USAGE_EVENTS.name(),
                        samples.avro(single.id(), single.keyId(), "floor-" + i)));
            }
            SingleEventLatencyRun.Result kafkaFloor = KafkaFloorRun.run(
                    stack.ingestConfig(settings.lingerMs(), settings.singleLingerMs()), RAW_TOPIC, single.id(),
                    singleValues, settings.singleRps(), settings.singleWarmupS(), settings.singleSeconds());
            print("(d1) Kafka floor: one record per send at " + settings.singleRps() + " records/s, send to "
                    + "acknowledgement, ingest's small-request producer settings (linger " + settings.singleLingerMs()
                    + " ms)", kafkaFloor, settings.singleWarmupS());
            SingleEventLatencyRun.Result httpFloor = SingleEventLatencyRun.run(
                    SingleEventLatencyRun.Target.healthLive(singleUrl), settings.singleRps(), settings.singleWarmupS(),
                    settings.singleSeconds(), settings.singleConnections(), "bench-floor-http-");
            print("(d2) HTTP floor: GET /health/live of the same instance at " + settings.singleRps() + " req/s, same "
                    + "generator and connections", httpFloor, settings.singleWarmupS());

            System.out.println("load average at end: " + loadAverage());
            System.out.printf(Locale.ROOT, "ingest ratio=%.3f http_eps=%.0f raw_eps=%.0f single_p50_ms=%.2f "
                            + "single_p99_ms=%.2f single_rps=%.0f single_warmup_p99_ms=%.2f floor_kafka_p99_ms=%.2f "
                            + "floor_http_p99_ms=%.2f single_host_steal_pct=%s%n",
                    ratio, httpEps, rawEps, latency.p50Millis(), latency.p99Millis(), latency.requestsPerSecond(),
                    latency.warmupP99Millis(), kafkaFloor.p99Millis(), httpFloor.p99Millis(),
                    latency.host().stealField());
        }
        System.exit(0); // JDK HTTP client and Kafka threads are not all daemons
    }

    /** A latency phase's lines: percentiles, errors, CPU and steal; worst latency by second; CPU by thread group. */
    private static void print(String phase, SingleEventLatencyRun.Result result, int warmupSeconds) {
        System.out.printf(Locale.ROOT, "%s: %d (%.0f/s), latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, "
                        + "max %.2f ms, errors %d, CPU %.0f %% of all cores, %s; warm-up (%d s) p50 %.2f ms, p99 %.2f ms%s%n",
                phase, result.requests(), result.requestsPerSecond(), result.p50Millis(), result.p90Millis(),
                result.p99Millis(), result.p999Millis(), result.maxMillis(), result.errors(), result.cpuPercent(),
                result.host(), warmupSeconds, result.warmupP50Millis(), result.warmupP99Millis(),
                result.firstError() == null ? "" : "; first error: " + result.firstError());
        String tag = phase.substring(0, phase.indexOf(')') + 1);
        System.out.println(tag + " worst latency (ms) in each second, warm-up included: " + result.maxBySecond());
        System.out.println(tag + " µs CPU per request by thread group: " + result.cpuByThreadGroup());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The machine's 1/5/15-minute load averages: other processes' CPU use skews every figure here. */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Posts one event until it is accepted: the new tenant's key reaches the instance's view asynchronously. */
    private static void awaitAccepted(String ingestUrl, BenchStack.Tenant tenant, SampleEvents samples) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 30_000_000_000L;
        int status = 0;
        String body = "";
        for (int i = 0; System.nanoTime() < deadline; i++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/v1/usage"))
                    .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(samples.json("warm-" + i))).build(),
                    HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            body = response.body();
            if (status == 202) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Tenant " + tenant.id() + " was never accepted: " + status + " " + body);
    }
}
