package io.budgetguard.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A loopback stand-in for ingest's {@code POST /v1/usage} (JDK HttpServer): answers each request with the next scripted
 * answer (202 once the script is used up) and records what it received.
 */
final class FakeIngest implements AutoCloseable {

    /** One scripted answer; {@code dropConnection} closes the exchange without any answer (an I/O error). */
    record Answer(int status, Map<String, String> headers, String body, boolean dropConnection) {
        static Answer status(int status, String... headers) {
            Map<String, String> map = new java.util.HashMap<>();
            for (int i = 0; i + 1 < headers.length; i += 2) {
                map.put(headers[i], headers[i + 1]);
            }
            return new Answer(status, map, "", false);
        }

        static Answer problem(int status, String json) {
            return new Answer(status, Map.of("Content-Type", "application/problem+json"), json, false);
        }

        static Answer drop() {
            return new Answer(0, Map.of(), "", true);
        }
    }

    /** A request as received: its event ids and the time it arrived. */
    record Received(List<String> eventIds, String authorization, long arrivedNanos) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Answer> fallback = r -> Answer.status(202, "X-Budget-Status", "ok");

    FakeIngest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/v1/usage", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers the next requests with these, in order. */
    FakeIngest thenAnswer(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** How requests are answered once the script is used up (default: 202, X-Budget-Status ok). */
    FakeIngest otherwise(Function<Received, Answer> answer) {
        this.fallback = answer;
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    List<String> receivedEventIds() {
        return received.stream().flatMap(r -> r.eventIds().stream()).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            List<String> ids = new ArrayList<>();
            for (JsonNode event : JSON.readTree(body).path("events")) {
                ids.add(event.path("event_id").asText());
            }
            Received request = new Received(ids, exchange.getRequestHeaders().getFirst("Authorization"), System.nanoTime());
            received.add(request);
            Answer answer = script.poll();
            if (answer == null) {
                answer = fallback.apply(request);
            }
            if (answer.dropConnection()) {
                return; // closing without a status line: the client sees an I/O error
            }
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] out = answer.status() == 202 && answer.body().isEmpty()
                    ? ("{\"accepted\":" + ids.size() + "}").getBytes(StandardCharsets.UTF_8)
                    : answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream stream = exchange.getResponseBody()) {
                    stream.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
