package io.budgetguard.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.http.ProblemException;
import io.budgetguard.common.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DirectRouteTest {

    private static final String[] SECURITY_HEADERS = {"X-Content-Type-Options", "X-Frame-Options", "Cache-Control",
            "Referrer-Policy", "Content-Security-Policy"};

    private static final int REQUEST_THREADS = 6;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger fallbackCalls = new AtomicInteger();
    private volatile DirectRoute.Handler behaviour;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        // few threads, so that a route that held one per request waiting for its answer could not serve
        // shouldAnswerLaterWithoutHoldingARequestThreadMeanwhile's requests all at once
        server = new Server(new org.eclipse.jetty.util.thread.QueuedThreadPool(REQUEST_THREADS + 4, 2));
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        DirectRoute route = new DirectRoute("POST", "/v1/usage", (request, response) -> behaviour.handle(request, response));
        route.setHandler(new AbstractHandler() { // stands for Javalin's servlet context
            @Override
            public void handle(String target, Request baseRequest, jakarta.servlet.http.HttpServletRequest request,
                    jakarta.servlet.http.HttpServletResponse response) {
                fallbackCalls.incrementAndGet();
                baseRequest.setHandled(true);
                response.setStatus(418);
            }
        });
        server.setHandler(route);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getURI().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheExactMethodAndPathWithTheSecurityHeaders() throws Exception {
        behaviour = (request, response) -> {
            response.setStatus(202);
            response.getOutputStream().write("{\"accepted\":1}".getBytes(StandardCharsets.US_ASCII));
            return null;
        };

        HttpResponse<String> response = send("POST", "/v1/usage");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"accepted\":1}");
        for (String header : SECURITY_HEADERS) {
            assertThat(response.headers().firstValue(header)).as(header).isPresent();
        }
        assertThat(fallbackCalls).hasValue(0);
    }

    @Test
    void shouldLeaveEveryOtherRequestToTheNextHandler() throws Exception {
        behaviour = (request, response) -> {
            response.setStatus(202);
            return null;
        };

        assertThat(send("GET", "/v1/usage").statusCode()).isEqualTo(418);
        assertThat(send("POST", "/v1/usage/").statusCode()).isEqualTo(418);
        assertThat(send("POST", "/v1/usages").statusCode()).isEqualTo(418);
        assertThat(send("POST", "/v1/estimate").statusCode()).isEqualTo(418);
        assertThat(send("POST", "/v1/%75sage").statusCode()).isEqualTo(418);
        assertThat(send("POST", "/v1/usage?x=1").statusCode()).isEqualTo(202);
        assertThat(fallbackCalls).hasValue(5);
    }

    @Test
    void shouldAnswerAProblemWithItsHeadersAsProblemJson() throws Exception {
        behaviour = (request, response) -> {
            throw new ProblemException(io.budgetguard.common.http.Problem.of(429, "Too Many Requests", "slow down"),
                    Map.of("Retry-After", "2"));
        };

        HttpResponse<String> response = send("POST", "/v1/usage");

        assertProblem(response, 429, "2", "slow down");
    }

    @Test
    void shouldAnswerAnyOtherFailureWith500WithoutDetails() throws Exception {
        behaviour = (request, response) -> {
            response.setHeader("X-Budget-Status", "ok");
            throw new IllegalStateException("internal state, not for clients");
        };

        HttpResponse<String> response = send("POST", "/v1/usage");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.headers().firstValue("X-Budget-Status")).isEmpty();
        assertThat(response.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(response.body()).doesNotContain("internal state").doesNotContain("IllegalStateException");
    }

    @Test
    void shouldCloseTheConnectionWhenAProblemIsAnsweredBeforeTheBodyWasRead() throws Exception {
        behaviour = (request, response) -> {
            throw new ProblemException(io.budgetguard.common.http.Problem.of(401, "Unauthorized", "no key"), Map.of());
        };

        // the body is announced but only partly sent: the server answers without reading it, so it cannot reuse
        // the connection, and must say so before the client sends its next request into it
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.getURI().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /v1/usage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{\"events\":[").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            java.io.BufferedReader answer = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(answer.readLine()).startsWith("HTTP/1.1 401");
            java.util.List<String> headers = new java.util.ArrayList<>();
            for (String line = answer.readLine(); line != null && !line.isEmpty(); line = answer.readLine()) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(headers).contains("connection: close");
        }
    }

    @Test
    void shouldKeepTheConnectionWhenTheBodyWasRead() throws Exception {
        behaviour = (request, response) -> {
            request.getInputStream().readAllBytes();
            throw new ProblemException(io.budgetguard.common.http.Problem.of(422, "Unprocessable Content", "bad"),
                    Map.of());
        };

        HttpResponse<String> response = send("POST", "/v1/usage");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Connection")).isEmpty();
    }

    private static DirectRoute.Answer accepted() {
        return new DirectRoute.Answer(202, "application/json", Map.of("X-Budget-Status", "ok"),
                "{\"accepted\":1}".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldAnswerLaterWithoutHoldingARequestThreadMeanwhile() throws Exception {
        java.util.Queue<CompletableFuture<DirectRoute.Answer>> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
        behaviour = (request, response) -> {
            request.getInputStream().readAllBytes();
            CompletableFuture<DirectRoute.Answer> later = new CompletableFuture<>();
            pending.add(later);
            return later;
        };
        int requests = 4 * REQUEST_THREADS;

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getURI().getPort()
                    + "/v1/usage")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // every request reached the handler while none was answered: their threads went back to the pool
        await().atMost(Duration.ofSeconds(10)).until(() -> pending.size() == requests);
        assertThat(responses).noneMatch(CompletableFuture::isDone);
        Thread completer = new Thread(() -> pending.forEach(later -> later.complete(accepted())), "not-a-jetty-thread");
        completer.start();

        for (CompletableFuture<HttpResponse<String>> future : responses) {
            HttpResponse<String> response = future.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.body()).isEqualTo("{\"accepted\":1}");
            assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(response.headers().firstValue("X-Budget-Status")).contains("ok");
            for (String header : SECURITY_HEADERS) {
                assertThat(response.headers().firstValue(header)).as(header).isPresent();
            }
        }
    }

    @Test
    void shouldAnswerAnAnswerReadyBeforeTheHandlerReturnedAndKeepTheConnection() throws Exception {
        behaviour = (request, response) -> {
            request.getInputStream().readAllBytes();
            return CompletableFuture.completedFuture(accepted());
        };

        // one client, one after the other: the second request reuses the first's connection
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = send("POST", "/v1/usage");
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.body()).isEqualTo("{\"accepted\":1}");
            assertThat(response.headers().firstValue("Connection")).isEmpty();
        }
    }

    @Test
    void shouldAnswerAStageFailedWithAProblemAsProblemJsonWithItsHeaders() throws Exception {
        behaviour = (request, response) -> {
            request.getInputStream().readAllBytes();
            CompletableFuture<DirectRoute.Answer> later = new CompletableFuture<>();
            new Thread(() -> later.completeExceptionally(new ProblemException(io.budgetguard.common.http.Problem.of(503,
                    "Service Unavailable", "no acknowledgement"), Map.of("Retry-After", "1")))).start();
            return later;
        };

        HttpResponse<String> response = send("POST", "/v1/usage");

        assertProblem(response, 503, "1", "no acknowledgement");
    }

    @Test
    void shouldAnswerAStageFailedOtherwiseWith500WithoutDetails() throws Exception {
        behaviour = (request, response) -> {
            request.getInputStream().readAllBytes();
            return CompletableFuture.supplyAsync(() -> {
                throw new IllegalStateException("internal state, not for clients");
            });
        };

        HttpResponse<String> response = send("POST", "/v1/usage");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(response.body()).doesNotContain("internal state").doesNotContain("IllegalStateException");
    }

    /** A problem+json answer with its status, {@code Retry-After}, the security headers and the problem's detail. */
    private static void assertProblem(HttpResponse<String> response, int status, String retryAfter, String detail)
            throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.headers().firstValue("Retry-After")).contains(retryAfter);
        assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(Json.MAPPER.readTree(response.body()).path("detail").asText()).isEqualTo(detail);
    }
}
