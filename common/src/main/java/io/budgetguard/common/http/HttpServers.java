package io.budgetguard.common.http;

import io.budgetguard.common.json.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import jakarta.servlet.http.HttpServletResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every BudgetGuard HTTP server has: security headers, {@code /health/live}, {@code /health/ready},
 * {@code /metrics}, errors as problem+json and never a stack trace in a response.
 */
public final class HttpServers {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServers.class);

    private HttpServers() {}

    public static Javalin create(String host, long maxRequestBytes, PrometheusMeterRegistry metrics, BooleanSupplier ready) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = maxRequestBytes;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.jetty.defaultHost = host;
            config.useVirtualThreads = false;
        });
        // Javalin 6 builds its servlet context settings lazily and without synchronisation on the first request:
        // concurrent first requests to a fresh server could answer 500 (NPE in JavalinServlet.getServletContextConfig,
        // seen when a restarted ingest instance met a burst of retries). One request to ourselves, before start()
        // returns, makes that first request a lone one.
        app.events(events -> events.serverStarted(() -> warmUp(host, app.port())));
        app.before(HttpServers::securityHeaders);
        app.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "up")));
        app.get("/health/ready", ctx -> {
            boolean isReady = ready.getAsBoolean();
            ctx.status(isReady ? 200 : 503).json(java.util.Map.of("status", isReady ? "ready" : "starting"));
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.exception(ProblemException.class, (e, ctx) -> {
            e.headers().forEach(ctx::header);
            problem(ctx, e.problem());
        });
        app.exception(HttpResponseException.class, (e, ctx) ->
                problem(ctx, Problem.of(e.getStatus(), e.getMessage(), null)));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
            problem(ctx, Problem.of(500, "Internal Server Error", "The error was logged; no details are disclosed."));
        });
        app.error(404, ctx -> {
            if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
                problem(ctx, Problem.of(404, "Not Found", "No route " + ctx.method() + " " + ctx.path()));
            }
        });
        app.error(405, ctx -> problem(ctx, Problem.of(405, "Method Not Allowed", null)));
        return app;
    }

    /** {@code GET /health/live} on the server just started; a failure is only logged (the server works regardless). */
    static void warmUp(String host, int port) {
        String target = host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1"
                : host.contains(":") ? "[" + host + "]" : host;
        try {
            java.net.HttpURLConnection connection = (java.net.HttpURLConnection)
                    java.net.URI.create("http://" + target + ":" + port + "/health/live").toURL().openConnection();
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(5000);
            try (java.io.InputStream body = connection.getInputStream()) {
                body.readAllBytes();
            } finally {
                connection.disconnect();
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("Warm-up request to the HTTP server on port {} failed: {}", port, e.toString());
        }
    }

    /**
     * Answers with the problem as {@code application/problem+json}, written as UTF-8 bytes: JSON is UTF-8 (RFC 8259) and
     * the media type has no charset parameter, so a string result would be encoded in the container's default
     * (ISO-8859-1) and turn characters such as "…" into "?".
     */
    public static void problem(Context ctx, Problem problem) {
        ctx.status(problem.status());
        ctx.contentType(Problem.CONTENT_TYPE);
        try {
            ctx.result(Json.MAPPER.writeValueAsBytes(problem));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.result(("{\"status\":" + problem.status() + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static void securityHeaders(Context ctx) {
        securityHeaders(ctx.res());
    }

    /**
     * The security headers every response carries (PRODUCT.md §4); set by a before-handler on Javalin's routes, and by
     * routes served ahead of Javalin ({@code ingest}'s {@code POST /v1/usage}) themselves.
     */
    public static void securityHeaders(HttpServletResponse response) {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    }

    /** As {@link #problem(Context, Problem)}, on a servlet response (routes served ahead of Javalin). */
    public static void problem(HttpServletResponse response, Problem problem) throws java.io.IOException {
        byte[] body = problemBody(problem);
        response.setStatus(problem.status());
        response.setContentType(Problem.CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The problem as the UTF-8 JSON body of an {@code application/problem+json} answer. */
    public static byte[] problemBody(Problem problem) {
        try {
            return Json.MAPPER.writeValueAsBytes(problem);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ("{\"status\":" + problem.status() + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
