package io.budgetguard.ingest.limits;

import io.budgetguard.common.limits.RetryAfter;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.schemas.control.Tenant;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-tenant token buckets of this instance (Bucket4j, lock-free): requests per second on every tenant route, and usage
 * events per second on {@code POST /v1/usage}, where a batch takes as many tokens as it holds events. The events rate
 * is the tenant's {@code rate_limit_events_per_s}, the requests rate its {@code rate_limit_requests_per_s}, each else
 * the platform default. Each bucket holds one second's worth of tokens (the allowed burst).
 *
 * <p>The limits are per instance: behind a load balancer spreading a tenant over N instances the tenant may send N
 * times its rate. When a tenant's limit changes in the control plane, its bucket is reconfigured on its next request,
 * keeping the tokens it had (plus the difference when the limit rose).
 */
public final class TenantRateLimiter {

    private record Limited(long perSecond, Bucket bucket) {}

    private final ControlPlaneView view;
    private final EdgeLimits limits;
    private final TimeMeter time;
    private final ConcurrentHashMap<String, Limited> requestBuckets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Limited> eventBuckets = new ConcurrentHashMap<>();
    private final Counter requestsRefused;
    private final Counter eventsRefused;

    public TenantRateLimiter(ControlPlaneView view, EdgeLimits limits, TimeMeter time, MeterRegistry metrics) {
        this.view = view;
        this.limits = limits;
        this.time = time;
        this.requestsRefused = Counter.builder("budgetguard.ingest.rate.limited")
                .description("Requests refused with 429 by a tenant's rate limit").tag("limit", "requests")
                .register(metrics);
        this.eventsRefused = Counter.builder("budgetguard.ingest.rate.limited")
                .description("Requests refused with 429 by a tenant's rate limit").tag("limit", "events")
                .register(metrics);
    }

    /** Takes one request token of the tenant; 429 with {@code Retry-After} when there is none. */
    public void admitRequest(String tenantId) {
        long rate = requestsPerSecond(tenantId);
        ConsumptionProbe probe = bucket(requestBuckets, tenantId, rate).tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            requestsRefused.increment();
            throw Problems.tooManyRequests("Tenant '" + tenantId + "' exceeded its limit of " + rate
                    + " requests/s on this instance (rate_limit_requests_per_s)", RetryAfter.seconds(probe.getNanosToWaitForRefill()));
        }
    }

    /**
     * Takes {@code events} event tokens of the tenant, all or none: 429 with {@code Retry-After} when too few are
     * left, 413 when the batch is larger than a second's worth (it could never pass as one request).
     */
    public void admitEvents(String tenantId, int events) {
        long rate = eventsPerSecond(tenantId);
        if (events > rate) {
            eventsRefused.increment();
            throw Problems.payloadTooLarge("The batch holds " + events + " events but tenant '" + tenantId
                    + "' may send at most " + rate + " events/s (rate_limit_events_per_s): split it into batches of at "
                    + "most " + rate + " events");
        }
        ConsumptionProbe probe = bucket(eventBuckets, tenantId, rate).tryConsumeAndReturnRemaining(events);
        if (!probe.isConsumed()) {
            eventsRefused.increment();
            throw Problems.tooManyRequests("Tenant '" + tenantId + "' exceeded its limit of " + rate
                    + " events/s on this instance (" + probe.getRemainingTokens() + " left, " + events
                    + " sent); nothing was accepted", RetryAfter.seconds(probe.getNanosToWaitForRefill()));
        }
    }

    /** The tenant's events rate: its own {@code rate_limit_events_per_s}, else the platform default. */
    public long eventsPerSecond(String tenantId) {
        Tenant tenant = view.tenantOrNull(tenantId);
        Integer own = tenant == null ? null : tenant.getRateLimitEventsPerS();
        return own != null && own > 0 ? own : limits.defaultEventsPerS();
    }

    /** The tenant's requests rate: its own {@code rate_limit_requests_per_s}, else the platform default. */
    public long requestsPerSecond(String tenantId) {
        Tenant tenant = view.tenantOrNull(tenantId);
        Integer own = tenant == null ? null : tenant.getRateLimitRequestsPerS();
        return own != null && own > 0 ? own : limits.defaultRequestsPerS();
    }

    private Bucket bucket(ConcurrentHashMap<String, Limited> buckets, String tenantId, long rate) {
        Limited limited = buckets.get(tenantId);
        if (limited != null && limited.perSecond() == rate) {
            return limited.bucket();
        }
        return buckets.compute(tenantId, (id, current) -> {
            if (current == null) {
                return new Limited(rate, Bucket.builder().withCustomTimePrecision(time)
                        .addLimit(perSecond(rate)).build());
            }
            if (current.perSecond() != rate) {
                // ADDITIVE: a raised limit is usable at once; a lowered one caps the tokens left at the new capacity
                current.bucket().replaceConfiguration(
                        BucketConfiguration.builder().addLimit(perSecond(rate)).build(), TokensInheritanceStrategy.ADDITIVE);
                return new Limited(rate, current.bucket());
            }
            return current;
        }).bucket();
    }

    private static Bandwidth perSecond(long rate) {
        return Bandwidth.builder().capacity(rate).refillGreedy(rate, Duration.ofSeconds(1)).build();
    }
}
