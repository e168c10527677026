package io.budgetguard.ingest.http;

import io.budgetguard.common.http.HttpServers;
import io.budgetguard.common.http.Problem;
import io.budgetguard.common.http.ProblemException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;
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
 */
public final class DirectRoute extends HandlerWrapper {

    /** The route's work over the servlet request and response; a {@link ProblemException} answers the problem. */
    @FunctionalInterface
    public interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException;
    }

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
        try {
            handler.handle(request, response);
        } catch (ProblemException e) {
            answer(request, response, e);
        } catch (RuntimeException e) {
            LOG.error("Unhandled error on {} {}", method, path, e);
            if (!response.isCommitted()) {
                response.reset();
                HttpServers.securityHeaders(response);
                closeIfBodyUnread(request, response);
                HttpServers.problem(response, Problem.of(500, "Internal Server Error",
                        "The error was logged; no details are disclosed."));
            }
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
