package io.budgetguard.infra.topics;

import java.util.List;
import java.util.Map;

/**
 * What {@link TopicManifest#apply} changed or found.
 *
 * @param created           topics that did not exist and were created
 * @param alteredConfigs    per topic, the configs set to the manifest's value because they differed
 * @param partitionsAdded   per topic, the new partition count (only when adding partitions was asked for)
 * @param partitionMismatch per topic, the partition count found when it differs from the manifest and was left alone
 */
public record ApplyResult(
        List<String> created,
        Map<String, Map<String, String>> alteredConfigs,
        Map<String, Integer> partitionsAdded,
        Map<String, Integer> partitionMismatch) {

    public ApplyResult {
        created = List.copyOf(created);
        alteredConfigs = Map.copyOf(alteredConfigs);
        partitionsAdded = Map.copyOf(partitionsAdded);
        partitionMismatch = Map.copyOf(partitionMismatch);
    }

    /** True when the cluster already matched the manifest and nothing was changed. */
    public boolean changedNothing() {
        return created.isEmpty() && alteredConfigs.isEmpty() && partitionsAdded.isEmpty();
    }
}
