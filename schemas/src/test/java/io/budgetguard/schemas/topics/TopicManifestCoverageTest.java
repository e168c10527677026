package io.budgetguard.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.infra.topics.TopicManifest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The topic list in code and the manifest that creates the topics must agree. */
class TopicManifestCoverageTest {

    private final TopicManifest manifest = TopicManifest.load(Map.of());

    @Test
    void shouldListEveryTopicOfTheCodeInTheManifest() {
        assertThat(manifest.names()).containsAll(Topics.ALL.stream().map(Topic::name).toList());
    }

    @Test
    void shouldHaveNoManifestTopicThatTheCodeDoesNotKnow() {
        assertThat(Topics.ALL.stream().map(Topic::name).toList()).containsAll(manifest.names());
    }

    @Test
    void shouldCompactEveryControlPlaneTopic() {
        Topics.ALL.stream().filter(topic -> topic.name().startsWith("control.")).forEach(topic ->
                assertThat(manifest.topic(topic.name()).orElseThrow().configs())
                        .as(topic.name())
                        .containsEntry("cleanup.policy", "compact"));
    }
}
