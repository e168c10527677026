package io.budgetguard.bench.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.infra.local.EmbeddedKafka;
import io.budgetguard.infra.local.EmbeddedRegistry;
import io.budgetguard.infra.topics.TopicManifest;
import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestService;
import io.budgetguard.ingest.hostile.HostileClient;
import io.budgetguard.ingest.hostile.HostileRequests;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code bench/run.sh hostile}: the hostile corpus ({@link HostileRequests}, {@code -Dbench.requests}, default one
 * million, {@code -Dbench.seed}, {@code -Dbench.threads}) against a real ingest-service on loopback (embedded KRaft
 * broker, Apicurio registry, keys hashed with bcrypt cost 12), while {@code -Dbench.slowConnections} connections
 * trickle a request one byte a second. Prints the answers per kind, heap before and after (after a GC), the peak, the
 * load average, and exits 1 on any 5xx (but Jetty's 505 to a version-less request line, counted apart), an unanswered
 * request, a refused connection, or when a valid event is not accepted afterwards.
 */
public final class HostileBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long requests = Long.getLong("bench.requests", 1_000_000);
        long seed = Long.getLong("bench.seed", 20_261_123L);
        int threads = Integer.getInteger("bench.threads", 4);
        int slow = Integer.getInteger("bench.slowConnections", 16);
        System.out.printf("hostile: %,d requests, seed %d, %d threads, %d slow connections; load average %s%n",
                requests, seed, threads, slow, loadAverage());
        try (EmbeddedKafka kafka = EmbeddedKafka.create().start(); EmbeddedRegistry registry = EmbeddedRegistry.start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                TopicManifest.load(Map.of()).apply(admin);
            }
            String adminKey = AdminKeyVerifier.newAdminKey();
            Map<String, String> env = new HashMap<>();
            env.put("KAFKA_BOOTSTRAP", kafka.bootstrapServers());
            env.put("SCHEMA_REGISTRY_URL", registry.ccompatUrl());
            env.put("BUDGETGUARD_ADMIN_KEY_SHA256", AdminKeyVerifier.sha256Hex(adminKey));
            env.put("INGEST_PORT", "0");
            try (IngestService ingest = new IngestService(IngestConfig.fromEnv(env), Clock.systemUTC()).start()) {
                String base = "http://127.0.0.1:" + ingest.port();
                awaitReady(base);
                // the tenant's own limits stay at the defaults (100 000 events/s, 10 000 requests/s)
                admin(base, adminKey, "/admin/tenants", "{\"id\":\"hostile\",\"name\":\"Hostile\"}");
                JsonNode key = admin(base, adminKey, "/admin/tenant/hostile/apikeys", "{\"role\":\"developer\"}");
                String token = key.path("api_key").asText();
                HostileRequests corpus = new HostileRequests(seed,
                        new HostileRequests.Target("127.0.0.1:" + ingest.port(), token, Instant.now()));
                // warm-up: one valid request verifies the key once with bcrypt
                if (post(base, token, validEvent("warm-up")) != 202) {
                    throw new IllegalStateException("A valid event was not accepted before the run");
                }

                long heapBefore = heapAfterGc();
                resetPeaks();
                AtomicBoolean running = new AtomicBoolean(true);
                List<Thread> trickles = slowConnections(ingest.port(), token, slow, running);
                HostileClient.Result result = new HostileClient("127.0.0.1", ingest.port(), 30_000)
                        .run(corpus, requests, threads);
                running.set(false);
                for (Thread trickle : trickles) {
                    trickle.join(5_000);
                }
                long peak = peakHeap();
                long heapAfter = heapAfterGc();
                int after = post(base, token, validEvent("after-" + seed));

                System.out.printf("%,d requests in %.0f s (%,.0f/s); load average %s%n", result.requests(),
                        result.seconds(), result.requests() / result.seconds(), loadAverage());
                System.out.print(result.table());
                System.out.printf("answered %,d, closed by the server without an answer %,d (incomplete or "
                                + "framing-breaking requests), 5xx %d, 505 to version-less request lines %d, "
                                + "unanswered %d, refused connections %d%n", result.answered(),
                        result.closedWithoutAnswer(), result.serverErrors(), result.versionNotSupported(),
                        result.hangs(), result.connectFailures());
                result.acceptedVariants().forEach((variant, n) ->
                        System.out.printf("  accepted although hostile-looking: %s %,d%n", variant, n));
                result.failures().forEach(failure -> System.out.println("  FAILURE " + failure));
                System.out.printf("heap used after GC: before %d MiB, after %d MiB; peak %d MiB of max %d MiB%n",
                        heapBefore >> 20, heapAfter >> 20, peak >> 20,
                        Runtime.getRuntime().maxMemory() >> 20);
                System.out.printf("valid event after the run: %d%n", after);
                boolean clean = result.clean() && after == 202;
                System.out.println("hostile " + (clean ? "PASS" : "FAIL") + " requests=" + result.requests()
                        + " 5xx=" + result.serverErrors() + " unanswered=" + result.hangs());
                if (!clean) {
                    System.exit(1);
                }
            }
        }
    }

    /** Connections that send a valid request one byte a second, reconnecting when the server gives up on them. */
    private static List<Thread> slowConnections(int port, String token, int count, AtomicBoolean running) {
        byte[] body = validEvent("slow").getBytes(StandardCharsets.UTF_8);
        byte[] request = ("POST /v1/usage HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n"
                + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        OutputStream out = socket.getOutputStream();
                        for (int b = 0; b < request.length && running.get(); b++) {
                            out.write(request[b]);
                            out.flush();
                            Thread.sleep(1000);
                        }
                    } catch (Exception closedByServer) {
                        // the idle timeout ended it: start again
                    }
                }
            }, "slow-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        return threads;
    }

    private static String validEvent(String id) {
        return "{\"event_id\":\"" + id + "\",\"occurred_at\":\"" + Instant.now() + "\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":5}";
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int post(String base, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/usage")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static JsonNode admin(String base, String adminKey, String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("X-Admin-Key", adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(path + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    private static void awaitReady(String base) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("ingest not ready within 60 s");
    }

    private static long heapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
