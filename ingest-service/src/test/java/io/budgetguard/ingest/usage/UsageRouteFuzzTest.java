package io.budgetguard.ingest.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.auth.Role;
import io.budgetguard.ingest.testing.TestIngest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the HTTP route {@code POST /v1/usage} of a running ingest server (over a
 * {@code MockProducer}): whatever the body and its declared content type, the answer is 202 with every event
 * published, or a 400/413/415/422 problem — never a 5xx. The first input byte picks the {@code Content-Type}, the rest
 * is the body. Regression seeds in {@code UsageRouteFuzzTestInputs/post/}; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/SECURITY.md).
 */
class UsageRouteFuzzTest {

    private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8",
            "text/plain", "application/JSON;charset=utf-16", "application/x-www-form-urlencoded", ""};

    private static TestIngest ingest;
    private static PresentedKey key;

    @BeforeAll
    static void start() {
        ingest = TestIngest.start(Clock.fixed(UsageRequestReaderFuzzTest.NOW, ZoneOffset.UTC),
                config -> config.withLimits(config.limits().withDefaultEventsPerS(10_000_000)
                        .withDefaultRequestsPerS(10_000_000)));
        ingest.fixtures.tenant("acme", "active");
        key = ingest.fixtures.key("acme", Role.DEVELOPER);
    }

    @AfterAll
    static void stop() {
        if (ingest != null) {
            ingest.close();
        }
    }

    @FuzzTest(maxDuration = "10m")
    void post(byte[] input) {
        String contentType = CONTENT_TYPES[input.length == 0 ? 0 : Byte.toUnsignedInt(input[0]) % CONTENT_TYPES.length];
        byte[] body = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        ingest.producer.clear();

        HttpResponse<String> response = contentType.isEmpty()
                ? ingest.sendBytes("POST", "/v1/usage", body, "Authorization", "Bearer " + key.token())
                : ingest.sendBytes("POST", "/v1/usage", body, "Authorization", "Bearer " + key.token(),
                        "Content-Type", contentType);

        assertThat(response.statusCode()).as(response.body()).isIn(202, 400, 413, 415, 422);
        if (response.statusCode() == 202) {
            assertThat(ingest.publishedUsage()).isNotEmpty().allSatisfy(event -> UsageRequestReaderFuzzTest.assertValid(event, key.keyId()));
        } else {
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(ingest.producer.history()).isEmpty();
        }
    }
}
