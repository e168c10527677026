package io.budgetguard.infra.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of a real service (the schema registry, a Vault test double) that answers {@code 503} to its first
 * {@code failFirst} requests and forwards the rest: a dependency that is still starting or restarting, for tests of
 * what a service does at start-up when a dependency is not there yet.
 */
public final class FlakyHttpProxy implements AutoCloseable {

    /** Hop-by-hop headers and those the JDK client sets itself (it refuses to have them set). */
    private static final java.util.Set<String> NOT_FORWARDED =
            java.util.Set.of("host", "connection", "content-length", "expect", "upgrade", "keep-alive",
                    "transfer-encoding", "te", "trailer", "proxy-connection");

    private final URI target;
    private final int failFirst;
    private final AtomicInteger requests = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpServer server;

    private FlakyHttpProxy(URI target, int failFirst) throws IOException {
        this.target = target;
        this.failFirst = failFirst;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts the proxy; it answers 503 to the first {@code failFirst} requests. */
    public static FlakyHttpProxy start(String targetBaseUrl, int failFirst) {
        try {
            return new FlakyHttpProxy(URI.create(targetBaseUrl), failFirst);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the proxy: " + e.getMessage(), e);
        }
    }

    /** The proxy's base URL, to configure in place of the target's. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests received so far, refused ones included. */
    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (requests.incrementAndGet() <= failFirst) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            // the target's own path (the registry's /apis/ccompat/v7) prefixes the request's
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.toString().replaceAll("/+$", "")
                            + exchange.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(30))
                    .method(exchange.getRequestMethod(), body.length == 0
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().add("Content-Type", type));
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
