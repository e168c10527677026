package io.budgetguard.ingest.http;

import io.budgetguard.common.http.HttpServers;
import io.budgetguard.common.http.Problem;
import io.budgetguard.common.http.ProblemException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route served by Jetty directly, ahead of Javalin's servlet context; every other request goes on to Javalin.
 * At single-event rates the per-request work is the cost, and Javalin's share of it (servlet context and session
 * scopes, the servlet, its context object and before/after task list) was about a quarter of the request threads'
 * time (docs/PERFORMANCE.md, Ingest). Only the exact method and request URI are taken here (no trailing slash, no
 * other method, no encoded variant): anything else, including {@code POST /v1/usage/}, reaches the same handler through
 * Javalin, so behaviour does not depend on which way a request came.
 *
 * <p>What Javalin did for such a request is done here: the security headers of every response, problems as
 * {@code application/problem+json} with their headers, and any other exception as a logged 500 without details.
 *
 * <p>A handler may answer later (D35): it returns a stage, the request leaves its Jetty thread (servlet async), and
 * the answer is written when the stage completes, on whichever thread completes it — for {@code POST /v1/usage} the
 * producer's I/O thread that received Kafka's acknowledgement. That write never blocks (Jetty's asynchronous
 * {@code sendContent}): a client that does not read its answers cannot stall the thread that completed the stage.
 */
public final class DirectRoute extends HandlerWrapper {

    /**
     * The route's work over the servlet request and response; a {@link ProblemException} answers the problem.
     * Returns {@code null} when it answered on the response itself, or the answer to come: a stage that completes
     * with it, or exceptionally with a {@link ProblemException} (anything else is a 500). The stage must complete
     * (the route sets no timeout of its own), and must not be completed while the completing thread holds a lock the
     * handler needs.
     */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<Answer> handle(HttpServletRequest request, HttpServletResponse response) throws IOException;
    }

    /** A complete answer: status, content type, headers (beyond the security headers) and the whole body. */
    public record Answer(int status, String contentType, Map<String, String> headers, byte[] body) {}

    private static final Logger LOG = LoggerFactory.getLogger(DirectRoute.class);

    private final String method;
    private final String path;
    private final Handler handler;

    public DirectRoute(String method, String path, Handler handler) {
        this.method = method;
        this.path = path;
        this.handler = handler;
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException, jakarta.servlet.ServletException {
        // the raw request URI, as Javalin matches it: a dot-segment or percent-encoded variant of the path, which
        // Jetty's decoded target would equal, still goes to Javalin and gets the answer it always got
        if (!method.equals(request.getMethod()) || !path.equals(request.getRequestURI())) {
            super.handle(target, baseRequest, request, response);
            return;
        }
        baseRequest.setHandled(true);
        HttpServers.securityHeaders(response);
        CompletionStage<Answer> later;
        try {
            later = handler.handle(request, response);
        } catch (ProblemException e) {
            answer(request, response, e);
            return;
        } catch (RuntimeException e) {
            LOG.error("Unhandled error on {} {}", method, path, e);
            if (!response.isCommitted()) {
                response.reset();
                HttpServers.securityHeaders(response);
                closeIfBodyUnread(request, response);
                HttpServers.problem(response, Problem.of(500, "Internal Server Error",
                        "The error was logged; no details are disclosed."));
            }
            return;
        }
        if (later != null) {
            // the container's own async timeout would answer by itself: the stage carries the deadline instead
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            org.eclipse.jetty.server.Response jettyResponse = baseRequest.getResponse();
            later.whenComplete((answer, failure) -> finish(jettyResponse, async, answer, failure));
        }
    }

    /**
     * Writes the answer the stage completed with, without blocking, and ends the request once it is written (or the
     * write failed: the connection is then gone).
     */
    private void finish(org.eclipse.jetty.server.Response response, AsyncContext async, Answer answer,
            Throwable failure) {
        try {
            byte[] body;
            if (failure == null) {
                response.setStatus(answer.status());
                response.setContentType(answer.contentType());
                answer.headers().forEach(response::setHeader);
                body = answer.body();
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                Problem problem;
                if (cause instanceof ProblemException e) {
                    e.headers().forEach(response::setHeader);
                    problem = e.problem();
                } else {
                    LOG.error("Unhandled error on {} {}", method, path, cause);
                    problem = Problem.of(500, "Internal Server Error", "The error was logged; no details are disclosed.");
                }
                response.setStatus(problem.status());
                response.setContentType(Problem.CONTENT_TYPE);
                body = HttpServers.problemBody(problem);
            }
            response.setContentLength(body.length);
            response.getHttpOutput().sendContent(ByteBuffer.wrap(body), Callback.from(async::complete, written -> {
                LOG.debug("Answer to {} {} not written: {}", method, path, written.toString());
                async.complete();
            }));
        } catch (RuntimeException e) {
            LOG.error("Cannot answer {} {}", method, path, e);
            async.complete();
        }
    }

    private static void answer(HttpServletRequest request, HttpServletResponse response, ProblemException e)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        e.headers().forEach(response::setHeader);
        closeIfBodyUnread(request, response);
        HttpServers.problem(response, e.problem());
    }

    /**
     * A problem is often answered before the body was read (401, 413, 415…). Jetty then cannot reuse the connection
     * and closes it after the answer; it says so with {@code Connection: close} only while the response is not yet
     * committed, and a problem with its Content-Length is committed as soon as it is written. Without the header a
     * keep-alive client sends its next request into a closing connection and never gets an answer (found by
     * HostileInputTest's two Authorization headers on a shared connection). Javalin's path answered after the
     * handler returned, so Jetty could still add the header there.
     */
    private static void closeIfBodyUnread(HttpServletRequest request, HttpServletResponse response) {
        boolean finished;
        try {
            finished = request.getInputStream().isFinished();
        } catch (IOException | IllegalStateException e) {
            finished = false;
        }
        if (!finished) {
            response.setHeader("Connection", "close");
        }
    }
}
