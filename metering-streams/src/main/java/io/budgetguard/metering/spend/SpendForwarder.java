package io.budgetguard.metering.spend;

import io.budgetguard.metering.http.Problems;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a {@code GET /v1/spend} to the instance that owns the tenant's partition and relays its answer. The
 * caller's {@code Authorization} goes along unchanged: the owner authenticates the request again, so no instance
 * has to trust another's word about who is asking. Forwarded requests carry {@link #FORWARDED_BY}, and an instance
 * never forwards a forwarded request (while ownership moves, two instances could otherwise bounce it).
 *
 * <p>Instances talk plain HTTP to the {@code application.server} addresses Kafka Streams publishes, never to an
 * address taken from the request. Across hosts, run them on a private network (or behind mTLS).
 */
public final class SpendForwarder {

    public static final String FORWARDED_BY = "X-BudgetGuard-Forwarded-By";
    public static final String SERVED_BY = "X-Served-By";
    private static final Logger LOG = LoggerFactory.getLogger(SpendForwarder.class);
    private static final List<String> RELAYED_HEADERS = List.of("Content-Type", "WWW-Authenticate", "Retry-After",
            SERVED_BY);

    private final HttpClient client;
    private final Duration timeout;
    private final String self;

    /** @param self this instance's {@code host:port}, sent in {@link #FORWARDED_BY} */
    public SpendForwarder(String self, Duration timeout) {
        this.self = Objects.requireNonNull(self, "self");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Sends the request on to {@code baseUrl} and writes the owner's answer (or a 503) to {@code ctx}. */
    public void forward(Context ctx, String baseUrl) {
        String query = ctx.queryString();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(baseUrl + "/v1/spend" + (query == null || query.isEmpty() ? "" : "?" + query)))
                .timeout(timeout)
                .header(FORWARDED_BY, self)
                .GET();
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warn("Forwarding GET /v1/spend to {} failed: {}", baseUrl, e.toString());
            throw Problems.unavailable("The instance that owns this tenant's spend did not answer; retry shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problems.unavailable("Interrupted while asking the instance that owns this tenant's spend; retry");
        }
        ctx.status(response.statusCode());
        for (String name : RELAYED_HEADERS) {
            response.headers().firstValue(name).ifPresent(value -> ctx.header(name, value));
        }
        ctx.result(response.body());
    }
}
