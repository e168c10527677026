package io.budgetguard.infra.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM, on loopback.
 *
 * <p>The broker can be stopped and started again on the same ports and data directory, keeping its data: tests use
 * that to simulate a broker restart. A temporary data directory (none given) is deleted by {@link #close()}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(int port, Path dataDir, Map<String, String> overrides) {
        this.brokerPort = FreePorts.resolve(port);
        this.controllerPort = FreePorts.pick();
        this.temporaryDataDir = dataDir == null;
        this.dataDir = temporaryDataDir ? Directories.createTemp("budgetguard-kafka-") : Directories.create(dataDir);
        this.overrides = Map.copyOf(overrides);
    }

    /** A broker on a free port with a temporary data directory; call {@link #start()}. */
    public static EmbeddedKafka create() {
        return new EmbeddedKafka(0, null, Map.of());
    }

    /**
     * A broker on {@code port} (0 = any free port) keeping its data in {@code dataDir} (null = a temporary directory
     * deleted on close). An existing, already formatted directory is reused with its data.
     */
    public static EmbeddedKafka create(int port, Path dataDir) {
        return new EmbeddedKafka(port, dataDir, Map.of());
    }

    /** As {@link #create(int, Path)}, with broker properties that override the defaults. */
    public static EmbeddedKafka create(int port, Path dataDir, Map<String, String> brokerOverrides) {
        return new EmbeddedKafka(port, dataDir, brokerOverrides);
    }

    /** Formats the storage on first use, starts the broker and waits until it serves requests. Idempotent. */
    public synchronized EmbeddedKafka start() {
        if (closed) {
            throw new IllegalStateException("This broker was closed; create a new one on the same port and directory");
        }
        if (server != null) {
            return this;
        }
        long started = System.nanoTime();
        Properties props = brokerProperties();
        Path logDir = logDir();
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(props);
        }
        KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            raftServer.startup();
            server = raftServer;
            awaitReady();
        } catch (RuntimeException e) {
            server = null;
            shutdownQuietly(raftServer);
            throw new IllegalStateException("Kafka broker did not start on port " + brokerPort + " (data in " + dataDir
                    + "): " + e.getMessage(), e);
        }
        LOG.info("Kafka broker ready at {} in {} ms", bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
        return this;
    }

    /** Shuts the broker down and waits for it, keeping the data directory; {@link #start()} brings it back. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        stopping.shutdown();
        stopping.awaitShutdown();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@code localhost:<port>}; valid while stopped too, since a restart keeps the port. */
    public String bootstrapServers() {
        return "localhost:" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker and deletes the data directory if it was a temporary one. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            if (temporaryDataDir) {
                Directories.deleteRecursively(dataDir);
            }
        }
    }

    private Path logDir() {
        return dataDir.resolve("kafka-logs");
    }

    private Properties brokerProperties() {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        props.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        props.put("log.dirs", logDir().toString());
        props.put("num.partitions", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Without this the log cleaner allocates 128 MiB up front and the broker needs > 160 MiB of heap.
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        props.put("auto.create.topics.enable", "false");
        props.putAll(overrides);
        return props;
    }

    private void format(Properties props) {
        Path configFile = dataDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(configFile)) {
            props.store(out, "written by EmbeddedKafka for kafka-storage format");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + configFile, e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(new String[] {
                "format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(), "--ignore-formatted"
            }, print);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("Cannot format Kafka storage in " + logDir() + " (exit code " + exitCode
                    + "): " + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    /** The broker is usable once a client sees it in the cluster metadata; startup() can return slightly earlier. */
    private void awaitReady() {
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminProps)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker not ready after " + READY_TIMEOUT.toSeconds() + " s", e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker not ready after " + READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer raftServer) {
        try {
            raftServer.shutdown();
            raftServer.awaitShutdown();
        } catch (RuntimeException ignored) {
            // the start failure is what the caller needs to see
        }
    }
}
