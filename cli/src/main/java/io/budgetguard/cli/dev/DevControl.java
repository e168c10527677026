package io.budgetguard.cli.dev;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.budgetguard.infra.local.EmbeddedKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-in control endpoint of {@code budgetguard dev} ({@code --control-port}): {@code POST /control/broker/restart}
 * stops the embedded broker, keeps it down {@code down_ms} (default 0, at most 60 000) and starts it again on the same
 * port and data. It exists for the chaos run, which must restart the broker while PostgreSQL and the registry, living
 * in the same process, keep running (docs/DECISIONS.md D17). Loopback only; the caller must present the dev admin key
 * ({@code X-Admin-Key}), compared by its SHA-256 in constant time. Restarts are serialised.
 */
public final class DevControl implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevControl.class);
    private static final Pattern DOWN_MS = Pattern.compile("(?:^|&)down_ms=([0-9]{1,5})(?:&|$)");
    static final long MAX_DOWN_MS = 60_000;

    private final HttpServer server;
    private final EmbeddedKafka kafka;
    private final byte[] adminKeySha256;

    private DevControl(HttpServer server, EmbeddedKafka kafka, String adminKeySha256Hex) {
        this.server = server;
        this.kafka = kafka;
        this.adminKeySha256 = HexFormat.of().parseHex(adminKeySha256Hex);
    }

    /** Starts the endpoint on 127.0.0.1:{@code port} (0 = any free port). */
    public static DevControl start(int port, EmbeddedKafka kafka, String adminKeySha256Hex) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 8);
            DevControl control = new DevControl(server, kafka, adminKeySha256Hex);
            server.createContext("/control/broker/restart", control::restart);
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "dev-control");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            LOG.info("Dev control endpoint on http://127.0.0.1:{} (POST /control/broker/restart)", control.port());
            return control;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the dev control endpoint on port " + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    private void restart(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "{\"error\":\"POST only\"}");
                return;
            }
            if (!authorised(exchange.getRequestHeaders().getFirst("X-Admin-Key"))) {
                reply(exchange, 401, "{\"error\":\"X-Admin-Key missing or wrong\"}");
                return;
            }
            long downMs = downMs(exchange.getRequestURI().getRawQuery());
            if (downMs < 0) {
                reply(exchange, 400, "{\"error\":\"down_ms must be 0 to " + MAX_DOWN_MS + "\"}");
                return;
            }
            long started = System.nanoTime();
            LOG.warn("Restarting the broker on request (down for at least {} ms)", downMs);
            kafka.stop();
            Thread.sleep(downMs);
            kafka.start();
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            LOG.warn("Broker restarted in {} ms", tookMs);
            reply(exchange, 200, "{\"restarted\":true,\"took_ms\":" + tookMs + "}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 503, "{\"error\":\"interrupted\"}");
        } catch (RuntimeException e) {
            LOG.error("Broker restart failed", e);
            reply(exchange, 500, "{\"error\":\"broker restart failed; see the dev log\"}");
        }
    }

    boolean authorised(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty()) {
            return false;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(presentedKey.getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(digest, adminKeySha256);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code down_ms} from the query, 0 when absent, −1 when invalid or above {@link #MAX_DOWN_MS}. */
    static long downMs(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty() || !rawQuery.contains("down_ms")) {
            return 0;
        }
        Matcher matcher = DOWN_MS.matcher(rawQuery);
        if (!matcher.find()) {
            return -1;
        }
        long value = Long.parseLong(matcher.group(1));
        return value > MAX_DOWN_MS ? -1 : value;
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
