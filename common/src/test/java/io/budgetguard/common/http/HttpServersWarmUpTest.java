package io.budgetguard.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 6, chaos work): Javalin 6 initialises its servlet context settings in an unsynchronised lazy on
 * the first request, so concurrent first requests to a fresh server could answer 500 (NullPointerException in
 * {@code JavalinServlet.getServletContextConfig}, seen in a flood against a just-started ingest). Our servers serve
 * one request to themselves before {@code start()} returns, so no outside request is ever a first one.
 */
class HttpServersWarmUpTest {

    @Test
    void theServerHasAnsweredOneRequestBeforeStartReturns() {
        Javalin app = HttpServers.create("127.0.0.1", 1024, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true);
        AtomicInteger served = new AtomicInteger();
        app.before("/health/live", ctx -> served.incrementAndGet());
        try {
            app.start(0);
            assertThat(served).as("requests served when start() returned").hasValue(1);
        } finally {
            app.stop();
        }
    }

    @Test
    void aWarmUpThatCannotConnectIsOnlyLogged() {
        HttpServers.warmUp("127.0.0.1", 1); // nothing listens on port 1: logged, not thrown
    }
}
