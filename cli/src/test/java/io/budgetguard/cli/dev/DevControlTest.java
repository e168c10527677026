package io.budgetguard.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.infra.local.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The broker-restart endpoint the chaos run uses: admin key required, the broker comes back on the same port. */
class DevControlTest {

    private static final String ADMIN_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    @Test
    void restartsTheBrokerForTheAdminKeyOnly() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.create().start();
                DevControl control = DevControl.start(0, kafka, Pipeline.sha256Hex(ADMIN_KEY))) {
            HttpClient http = HttpClient.newHttpClient();
            URI restart = URI.create(control.url() + "/control/broker/restart?down_ms=200");
            assertThat(post(http, restart, null).statusCode()).isEqualTo(401);
            assertThat(post(http, restart, "wrong").statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(restart).header("X-Admin-Key", ADMIN_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
            assertThat(post(http, URI.create(control.url() + "/control/broker/restart?down_ms=999999"), ADMIN_KEY)
                    .statusCode()).isEqualTo(400);

            HttpResponse<String> answer = post(http, restart, ADMIN_KEY);

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"restarted\":true");
            assertThat(kafka.isRunning()).isTrue();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
        }
    }

    @Test
    void downTimeIsParsedStrictly() {
        assertThat(DevControl.downMs(null)).isZero();
        assertThat(DevControl.downMs("down_ms=1500")).isEqualTo(1500);
        assertThat(DevControl.downMs("x=1&down_ms=60000")).isEqualTo(60000);
        assertThat(DevControl.downMs("down_ms=60001")).isEqualTo(-1);
        assertThat(DevControl.downMs("down_ms=-5")).isEqualTo(-1);
        assertThat(DevControl.downMs("down_ms=abc")).isEqualTo(-1);
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            request.header("X-Admin-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
