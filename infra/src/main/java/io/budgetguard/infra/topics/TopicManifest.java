package io.budgetguard.infra.topics;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topic manifest ({@code topics.json} on the classpath, from {@code infra/src/main/resources}): every BudgetGuard
 * topic with its partitions and configs, applied idempotently at start-up.
 *
 * <p>Config choices: event topics are {@code delete} with the retention of PRODUCT.md 3.2. Compacted state topics
 * (spend, status) roll segments hourly so that compaction keeps them small. Control-plane topics roll daily (they are
 * small), wait a minute before compacting so that every instance sees quick successive updates, and keep tombstones
 * for 7 days so that a service whose local state survived a long stop still sees a deletion or a key revocation.
 *
 * <p>The replication factor in the file is the local default (1); production sets
 * {@value #REPLICATION_FACTOR_ENV} (or calls {@link #withReplicationFactor}). With 3 or more replicas,
 * {@code min.insync.replicas=2} is added to every topic that does not set it, so that {@code acks=all} means two
 * copies.
 */
public final class TopicManifest {

    /** Classpath location of the manifest. */
    public static final String RESOURCE = "/topics.json";
    /** Environment variable overriding the manifest's replication factor. */
    public static final String REPLICATION_FACTOR_ENV = "BUDGETGUARD_TOPIC_REPLICATION_FACTOR";

    private static final Logger LOG = LoggerFactory.getLogger(TopicManifest.class);
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private static final long ADMIN_TIMEOUT_SECONDS = 30;

    private final short replicationFactor;
    private final Map<String, TopicSpec> topics;

    private TopicManifest(int replicationFactor, Collection<TopicSpec> topics) {
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new TopicManifestException("Replication factor must be at least 1, was " + replicationFactor);
        }
        this.replicationFactor = (short) replicationFactor;
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec topic : topics) {
            if (byName.put(topic.name(), topic) != null) {
                throw new TopicManifestException("Topic " + topic.name() + " is listed twice in the manifest");
            }
        }
        this.topics = java.util.Collections.unmodifiableMap(byName);
    }

    /** The manifest on the classpath, with the replication factor from {@value #REPLICATION_FACTOR_ENV} if set. */
    public static TopicManifest load() {
        return load(System.getenv());
    }

    /** As {@link #load()}, reading the replication factor override from {@code env}. */
    public static TopicManifest load(Map<String, String> env) {
        TopicManifest manifest;
        try (InputStream in = TopicManifest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new TopicManifestException("Topic manifest " + RESOURCE + " is not on the classpath");
            }
            manifest = read(in);
        } catch (IOException e) {
            throw new TopicManifestException("Cannot read topic manifest " + RESOURCE + ": " + e.getMessage(), e);
        }
        String override = env.get(REPLICATION_FACTOR_ENV);
        if (override == null || override.isBlank()) {
            return manifest;
        }
        try {
            return manifest.withReplicationFactor(Integer.parseInt(override.trim()));
        } catch (NumberFormatException e) {
            throw new TopicManifestException(REPLICATION_FACTOR_ENV + " must be a positive integer, was '" + override
                    + "'");
        }
    }

    /** Parses a manifest in the {@code topics.json} format. */
    public static TopicManifest read(InputStream json) throws IOException {
        ManifestFile file = JSON.readValue(json, ManifestFile.class);
        if (file.topics() == null || file.topics().isEmpty()) {
            throw new TopicManifestException("Topic manifest lists no topics");
        }
        return new TopicManifest(file.replicationFactor() == null ? 1 : file.replicationFactor(), file.topics());
    }

    /** A manifest of the given topics, e.g. for a test. */
    public static TopicManifest of(int replicationFactor, Collection<TopicSpec> topics) {
        return new TopicManifest(replicationFactor, topics);
    }

    public TopicManifest withReplicationFactor(int replicationFactor) {
        return new TopicManifest(replicationFactor, topics.values());
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public List<TopicSpec> topics() {
        return List.copyOf(topics.values());
    }

    public Set<String> names() {
        return new LinkedHashSet<>(topics.keySet());
    }

    public Optional<TopicSpec> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    /** The configs a topic gets: the manifest's, plus {@code min.insync.replicas=2} with 3 or more replicas. */
    public Map<String, String> effectiveConfigs(TopicSpec topic) {
        Map<String, String> configs = new TreeMap<>(topic.configs());
        if (replicationFactor >= 3) {
            configs.putIfAbsent("min.insync.replicas", "2");
        }
        return configs;
    }

    /** {@link #apply(Admin, boolean)} without adding partitions: a partition shortfall is only reported. */
    public ApplyResult apply(Admin admin) {
        return apply(admin, false);
    }

    /**
     * Makes the cluster match the manifest: creates missing topics, sets every manifest config whose value differs
     * (other topic configs are left alone), and, when {@code addMissingPartitions}, raises a partition count that is
     * lower than the manifest's (never lowered: Kafka cannot). Running it again changes nothing.
     */
    public ApplyResult apply(Admin admin, boolean addMissingPartitions) {
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<String> created = createMissing(admin, existing);

        List<String> present = topics.keySet().stream().filter(existing::contains).toList();
        Map<String, Map<String, String>> altered = alignConfigs(admin, present);

        Map<String, Integer> added = new TreeMap<>();
        Map<String, Integer> mismatch = new TreeMap<>();
        if (!present.isEmpty()) {
            Map<String, TopicDescription> descriptions =
                    await(admin.describeTopics(present).allTopicNames(), "describe topics " + present);
            Map<String, NewPartitions> increases = new HashMap<>();
            for (String name : present) {
                int actual = descriptions.get(name).partitions().size();
                int wanted = topics.get(name).partitions();
                if (actual < wanted && addMissingPartitions) {
                    increases.put(name, NewPartitions.increaseTo(wanted));
                    added.put(name, wanted);
                } else if (actual != wanted) {
                    mismatch.put(name, actual);
                    LOG.warn("Topic {} has {} partitions, the manifest says {}; left as is{}", name, actual, wanted,
                            actual < wanted ? " (apply with addMissingPartitions to add them; keyed data moves)" : "");
                }
            }
            if (!increases.isEmpty()) {
                await(admin.createPartitions(increases).all(), "add partitions to " + increases.keySet());
            }
        }
        ApplyResult result = new ApplyResult(created, altered, added, mismatch);
        if (!result.changedNothing()) {
            LOG.info("Topic manifest applied: created {}, configs altered {}, partitions added {}", created, altered,
                    added);
        }
        return result;
    }

    private List<String> createMissing(Admin admin, Set<String> existing) {
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec topic : topics.values()) {
            if (!existing.contains(topic.name())) {
                missing.add(new NewTopic(topic.name(), topic.partitions(), replicationFactor)
                        .configs(effectiveConfigs(topic)));
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        List<String> created = new ArrayList<>();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                created.add(result.getKey());
            } catch (ExecutionException e) {
                // another instance created it at the same time: its configs are checked on the next start
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failure("create topic " + result.getKey(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw failure("create topic " + result.getKey(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("create topic " + result.getKey(), e);
            }
        }
        created.sort(null);
        awaitVisible(admin, created);
        return created;
    }

    /**
     * createTopics returns once the controller committed the topics; the broker serves them a moment later. Waiting
     * here means a caller (or the config check that follows) never sees "unknown topic" for a topic just created.
     */
    private static void awaitVisible(Admin admin, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ADMIN_TIMEOUT_SECONDS);
        while (true) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(names).allTopicNames().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (described.values().stream().allMatch(topic -> topic.partitions().stream()
                        .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty()))) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw failure("describe new topics " + names, e.getCause());
                }
            } catch (TimeoutException e) {
                throw failure("describe new topics " + names, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("describe new topics " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new TopicManifestException("Topics " + names + " were created but have no leader after "
                        + ADMIN_TIMEOUT_SECONDS + " s", true);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("wait for new topics " + names, e);
            }
        }
    }

    private Map<String, Map<String, String>> alignConfigs(Admin admin, List<String> present) {
        if (present.isEmpty()) {
            return Map.of();
        }
        List<ConfigResource> resources = present.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                .toList();
        Map<ConfigResource, Config> current = await(admin.describeConfigs(resources).all(), "describe topic configs");
        Map<String, Map<String, String>> altered = new TreeMap<>();
        Map<ConfigResource, Collection<AlterConfigOp>> operations = new HashMap<>();
        for (ConfigResource resource : resources) {
            Config config = current.get(resource);
            Map<String, String> changes = new TreeMap<>();
            List<AlterConfigOp> ops = new ArrayList<>();
            effectiveConfigs(topics.get(resource.name())).forEach((key, wanted) -> {
                ConfigEntry entry = config.get(key);
                if (entry == null || !wanted.equals(entry.value())) {
                    changes.put(key, wanted);
                    ops.add(new AlterConfigOp(new ConfigEntry(key, wanted), AlterConfigOp.OpType.SET));
                }
            });
            if (!ops.isEmpty()) {
                altered.put(resource.name(), changes);
                operations.put(resource, ops);
            }
        }
        if (!operations.isEmpty()) {
            await(admin.incrementalAlterConfigs(operations).all(), "alter configs of " + altered.keySet());
        }
        return altered;
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw failure(what, e.getCause());
        } catch (TimeoutException e) {
            throw failure(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(what, e);
        }
    }

    private static TopicManifestException failure(String what, Throwable cause) {
        return new TopicManifestException("Cannot " + what + ": " + cause, cause);
    }

    @JsonIgnoreProperties(value = "_comment")
    private record ManifestFile(Integer replicationFactor, List<TopicSpec> topics) {}
}
