package io.budgetguard.infra.topics;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** One topic of the manifest: its name, partition count and topic-level configs. */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("Topic name is blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs at least 1 partition, has " + partitions);
        }
        configs = configs == null ? Map.of() : Map.copyOf(new TreeMap<>(configs));
    }
}
