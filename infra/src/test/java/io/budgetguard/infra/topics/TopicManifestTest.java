package io.budgetguard.infra.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.budgetguard.infra.testing.SharedStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedStack.class)
class TopicManifestTest {

    @Test
    void shouldChangeNothingWhenTheRealManifestIsAppliedAgain() {
        try (Admin admin = SharedStack.stack().admin()) {
            TopicManifest manifest = TopicManifest.load(Map.of());
            manifest.apply(admin);

            ApplyResult second = manifest.apply(admin);

            assertThat(second.changedNothing()).isTrue();
            assertThat(second.partitionMismatch()).isEmpty();
        }
    }

    @Test
    void shouldCreateMissingTopicsWithTheirPartitionsAndConfigs() throws Exception {
        String name = SharedStack.unique("manifest-create");
        TopicManifest manifest = TopicManifest.of(1,
                List.of(new TopicSpec(name, 3, Map.of("cleanup.policy", "compact", "segment.ms", "3600000"))));
        try (Admin admin = SharedStack.stack().admin()) {
            ApplyResult result = manifest.apply(admin);

            assertThat(result.created()).containsExactly(name);
            assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions()).hasSize(3);
            assertThat(configValue(admin, name, "cleanup.policy")).isEqualTo("compact");
            assertThat(configValue(admin, name, "segment.ms")).isEqualTo("3600000");
        }
    }

    @Test
    void shouldCorrectAConfigThatDiffersFromTheManifest() throws Exception {
        String name = SharedStack.unique("manifest-drift");
        TopicManifest manifest = TopicManifest.of(1,
                List.of(new TopicSpec(name, 1, Map.of("cleanup.policy", "delete", "retention.ms", "2592000000"))));
        try (Admin admin = SharedStack.stack().admin()) {
            manifest.apply(admin);
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, name);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "60000"), AlterConfigOp.OpType.SET)))).all().get();
            // the broker applies config changes from the metadata log asynchronously
            await().atMost(Duration.ofSeconds(10)).until(() -> configValue(admin, name, "retention.ms").equals("60000"));

            ApplyResult result = manifest.apply(admin);

            assertThat(result.alteredConfigs()).containsEntry(name, Map.of("retention.ms", "2592000000"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> configValue(admin, name, "retention.ms").equals("2592000000"));
        }
    }

    @Test
    void shouldReportButNotAddMissingPartitionsUnlessAsked() throws Exception {
        String name = SharedStack.unique("manifest-partitions");
        try (Admin admin = SharedStack.stack().admin()) {
            TopicManifest.of(1, List.of(new TopicSpec(name, 1, Map.of()))).apply(admin);
            TopicManifest wider = TopicManifest.of(1, List.of(new TopicSpec(name, 4, Map.of())));

            ApplyResult reported = wider.apply(admin);
            ApplyResult added = wider.apply(admin, true);

            assertThat(reported.partitionMismatch()).containsEntry(name, 1);
            assertThat(reported.partitionsAdded()).isEmpty();
            assertThat(added.partitionsAdded()).containsEntry(name, 4);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions().size() == 4);
        }
    }

    @Test
    void shouldListEveryTopicWithItsPartitionsAndPolicies() {
        TopicManifest manifest = TopicManifest.load(Map.of());

        assertThat(manifest.names()).hasSize(11);
        assertThat(manifest.topic("usage.events.v1")).hasValueSatisfying(topic -> {
            assertThat(topic.partitions()).isEqualTo(6);
            assertThat(topic.configs()).containsEntry("cleanup.policy", "delete")
                    .containsEntry("retention.ms", "2592000000");
        });
        assertThat(manifest.topic("control.budgets.v1")).hasValueSatisfying(topic -> {
            assertThat(topic.partitions()).isEqualTo(1);
            assertThat(topic.configs()).containsEntry("cleanup.policy", "compact");
        });
        assertThat(manifest.topic("ledger.checkpoints.v1").orElseThrow().partitions()).isEqualTo(3);
    }

    @Test
    void shouldTakeTheReplicationFactorFromTheEnvironment() {
        TopicManifest manifest = TopicManifest.load(Map.of(TopicManifest.REPLICATION_FACTOR_ENV, "3"));
        TopicSpec events = manifest.topic("usage.events.v1").orElseThrow();

        assertThat(manifest.replicationFactor()).isEqualTo((short) 3);
        assertThat(manifest.effectiveConfigs(events)).containsEntry("min.insync.replicas", "2");
        assertThat(TopicManifest.load(Map.of()).replicationFactor()).isEqualTo((short) 1);
    }

    @Test
    void shouldRejectAnInvalidReplicationFactor() {
        assertThatThrownBy(() -> TopicManifest.load(Map.of(TopicManifest.REPLICATION_FACTOR_ENV, "three")))
                .isInstanceOf(TopicManifestException.class)
                .hasMessageContaining(TopicManifest.REPLICATION_FACTOR_ENV);
    }

    @Test
    void shouldCallAnUnreachableBrokerATransientFailure() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + closedPort,
                "request.timeout.ms", "500", "default.api.timeout.ms", "1000"))) {
            assertThatThrownBy(() -> TopicManifest.load(Map.of()).apply(admin))
                    .isInstanceOfSatisfying(TopicManifestException.class,
                            e -> assertThat(e.isTransient()).as("retried at start-up").isTrue());
        }
    }

    @Test
    void shouldCallARefusalThatRetryingCannotFixPermanent() {
        String name = SharedStack.unique("manifest-rf");
        TopicManifest tooManyReplicas = TopicManifest.of(3, List.of(new TopicSpec(name, 1, Map.of())));
        try (Admin admin = SharedStack.stack().admin()) {
            assertThatThrownBy(() -> tooManyReplicas.apply(admin))
                    .isInstanceOfSatisfying(TopicManifestException.class,
                            e -> assertThat(e.isTransient()).as("not retried at start-up").isFalse());
        }
    }

    private static String configValue(Admin admin, String topic, String key) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(key).value();
    }
}
