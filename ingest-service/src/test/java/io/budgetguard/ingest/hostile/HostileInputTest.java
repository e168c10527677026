package io.budgetguard.ingest.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.testing.TestIngest;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A seeded slice of the hostile corpus ({@link HostileRequests}, every kind) against a running ingest server: no 5xx,
 * no request left unanswered, the server still accepts a valid event afterwards. The million-request run is
 * {@code bench/run.sh hostile} (docs/SECURITY.md).
 */
class HostileInputTest {

    private static final long SEED = 20_261_123L;
    private static final int REQUESTS = 4000;

    @Test
    void shouldAnswerEveryHostileRequestWithoutA5xxAndKeepServing() throws Exception {
        try (TestIngest ingest = TestIngest.start(Clock.systemUTC(), config -> config.withLimits(config.limits()
                .withDefaultEventsPerS(10_000_000).withDefaultRequestsPerS(10_000_000)))) {
            ingest.fixtures.tenant("acme", "active");
            PresentedKey key = ingest.fixtures.key("acme", Role.DEVELOPER);
            HostileRequests corpus = new HostileRequests(SEED,
                    new HostileRequests.Target("127.0.0.1:" + ingest.server.port(), key.token(), Instant.now()));

            HostileClient.Result result = new HostileClient("127.0.0.1", ingest.server.port(), 10_000)
                    .run(corpus, REQUESTS, 2);

            assertThat(result.failures()).as(result.table()).isEmpty();
            assertThat(result.clean()).isTrue();
            assertThat(result.statusesByKind()).containsKeys(
                    java.util.Arrays.stream(HostileRequests.Kind.values()).map(Enum::name).toArray(String[]::new));
            assertThat(result.statusesByKind().get("VALID")).containsOnlyKeys(202);
            assertThat(result.acceptedVariants()).as("two Authorization headers are refused")
                    .doesNotContainKey("HEADER_ABUSE [two-authorizations]");
            // whatever a request smuggled (tenant headers, query strings, body fields), events are the key's tenant's
            assertThat(ingest.producer.history()).isNotEmpty().allSatisfy(record -> assertThat(record.key()).isEqualTo("acme"));
            assertThat(ingest.publishedUsage()).allSatisfy(event -> {
                assertThat(event.getTenantId()).isEqualTo("acme");
                assertThat(event.getApiKeyId()).isEqualTo(key.keyId());
            });
            ingest.producer.clear();
            assertThat(ingest.postUsage(key.token(), "{\"event_id\":\"after\",\"occurred_at\":\"" + Instant.now()
                    + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":1,\"output_tokens\":1}")
                    .statusCode()).isEqualTo(202);
            System.out.printf("hostile slice: %d requests in %.1f s, heap used %d MiB%n%s", result.requests(),
                    result.seconds(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20,
                    result.table());
            result.acceptedVariants().forEach((variant, n) -> System.out.println("  accepted: " + variant + " " + n));
        }
    }
}
