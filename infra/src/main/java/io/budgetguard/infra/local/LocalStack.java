package io.budgetguard.infra.local;

import io.budgetguard.infra.topics.ApplyResult;
import io.budgetguard.infra.topics.TopicManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The infrastructure BudgetGuard needs, all local: a KRaft broker in this JVM, embedded PostgreSQL and an Apicurio
 * Registry process, started in parallel, with the topic manifest applied. Used by {@code dev} mode and by tests.
 * {@link #close()} stops everything in reverse order.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    private final EmbeddedKafka kafka;
    private final EmbeddedPostgres postgres;
    private final EmbeddedRegistry registry;
    private final Options options;
    private final Duration startupTime;
    private boolean closed;

    private LocalStack(EmbeddedKafka kafka, EmbeddedPostgres postgres, EmbeddedRegistry registry, Options options,
            Duration startupTime) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.registry = registry;
        this.options = options;
        this.startupTime = startupTime;
    }

    /**
     * Where and how to run the stack.
     *
     * @param kafkaPort       broker port, 0 = any free port
     * @param registryPort    registry HTTP port, 0 = any free port
     * @param postgresPort    PostgreSQL port, 0 = any free port
     * @param portOffset      added to every non-zero port (to run two stacks side by side)
     * @param dataDir         base directory for the broker's and PostgreSQL's data ({@code kafka/}, {@code postgres/});
     *                        null = temporary directories
     * @param deleteDataOnClose delete {@code dataDir} on close (tests); false keeps it for the next run (dev mode)
     */
    public record Options(
            int kafkaPort, int registryPort, int postgresPort, int portOffset, Path dataDir,
            boolean deleteDataOnClose) {

        public static final int DEV_KAFKA_PORT = 9092;
        public static final int DEV_REGISTRY_PORT = 8085;
        public static final int DEV_POSTGRES_PORT = 5433;

        public Options {
            if (portOffset < 0) {
                throw new IllegalArgumentException("Port offset must not be negative, was " + portOffset);
            }
        }

        /** Dev mode: the documented ports (Kafka 9092, registry 8085, PostgreSQL 5433), data kept in {@code dataDir}. */
        public static Options dev(Path dataDir) {
            return new Options(DEV_KAFKA_PORT, DEV_REGISTRY_PORT, DEV_POSTGRES_PORT, 0,
                    Objects.requireNonNull(dataDir, "dataDir"), false);
        }

        /** Free ports and temporary data, deleted on close. */
        public static Options ephemeral() {
            return new Options(0, 0, 0, 0, null, true);
        }

        /** Free ports, data under {@code dataDir}, deleted on close (the test set-up). */
        public static Options ephemeral(Path dataDir) {
            return new Options(0, 0, 0, 0, dataDir, true);
        }

        public Options withPortOffset(int offset) {
            return new Options(kafkaPort, registryPort, postgresPort, offset, dataDir, deleteDataOnClose);
        }

        public Options withDataDir(Path dir, boolean deleteOnClose) {
            return new Options(kafkaPort, registryPort, postgresPort, portOffset, dir, deleteOnClose);
        }

        int effectiveKafkaPort() {
            return shift(kafkaPort);
        }

        int effectiveRegistryPort() {
            return shift(registryPort);
        }

        int effectivePostgresPort() {
            return shift(postgresPort);
        }

        private int shift(int port) {
            return port == 0 ? 0 : port + portOffset;
        }
    }

    /** Starts the three servers in parallel, applies the topic manifest and returns when everything is ready. */
    public static LocalStack start(Options options) {
        long started = System.nanoTime();
        Path dataDir = options.dataDir();
        ExecutorService starters = Executors.newFixedThreadPool(3, runnable -> {
            Thread thread = new Thread(runnable, "local-stack-start");
            thread.setDaemon(true);
            return thread;
        });
        CompletableFuture<EmbeddedRegistry> registry =
                supply(() -> EmbeddedRegistry.start(options.effectiveRegistryPort()), starters);
        CompletableFuture<EmbeddedKafka> kafka = supply(() -> EmbeddedKafka.create(options.effectiveKafkaPort(),
                dataDir == null ? null : dataDir.resolve("kafka")).start(), starters);
        CompletableFuture<EmbeddedPostgres> postgres = supply(() -> EmbeddedPostgres.start(
                options.effectivePostgresPort(), dataDir == null ? null : dataDir.resolve("postgres")), starters);
        starters.shutdown();
        try {
            CompletableFuture.allOf(registry, kafka, postgres).join();
        } catch (CompletionException e) {
            closeStarted(List.of(registry, postgres, kafka));
            if (dataDir != null && options.deleteDataOnClose()) {
                Directories.deleteRecursively(dataDir);
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("Local stack did not start: " + cause.getMessage(), cause);
        }
        LocalStack stack = new LocalStack(kafka.join(), postgres.join(), registry.join(), options,
                Duration.ofNanos(System.nanoTime() - started));
        try {
            stack.applyTopicManifest();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        LOG.info("Local stack ready in {} ms: Kafka {}, registry {}, PostgreSQL {}",
                (System.nanoTime() - started) / 1_000_000, stack.kafkaBootstrap(), stack.schemaRegistryUrl(),
                stack.postgres().jdbcUrl());
        return stack;
    }

    /** Applies {@link TopicManifest#load()} to the broker (idempotent). */
    public ApplyResult applyTopicManifest() {
        try (Admin admin = admin()) {
            return TopicManifest.load(Map.of()).apply(admin);
        }
    }

    /** A new admin client on the broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap()));
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    /** The Confluent-compatible registry URL ({@code …/apis/ccompat/v7}), what {@code SCHEMA_REGISTRY_URL} takes. */
    public String schemaRegistryUrl() {
        return registry.ccompatUrl();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    public EmbeddedRegistry registry() {
        return registry;
    }

    public Options options() {
        return options;
    }

    /** How long {@link #start} took until all three servers were ready (before the manifest). */
    public Duration startupTime() {
        return startupTime;
    }

    /** Stops the registry, PostgreSQL and the broker (reverse of their use), then deletes the data if asked to. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long stopping = System.nanoTime();
        List<RuntimeException> failures = new ArrayList<>();
        runQuietly(registry::close, failures);
        runQuietly(postgres::close, failures);
        runQuietly(kafka::close, failures);
        if (options.dataDir() != null && options.deleteDataOnClose()) {
            Directories.deleteRecursively(options.dataDir());
        }
        LOG.info("Local stack stopped in {} ms", (System.nanoTime() - stopping) / 1_000_000);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static <T> CompletableFuture<T> supply(Supplier<T> starter, ExecutorService executor) {
        return CompletableFuture.supplyAsync(starter, executor);
    }

    private static void closeStarted(List<CompletableFuture<? extends AutoCloseable>> components) {
        for (CompletableFuture<? extends AutoCloseable> component : components) {
            try {
                AutoCloseable started = component.join();
                started.close();
            } catch (Exception ignored) {
                // it failed to start (the reported error) or failed to stop while we are already failing
            }
        }
    }

    private static void runQuietly(Runnable action, List<RuntimeException> failures) {
        try {
            action.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
