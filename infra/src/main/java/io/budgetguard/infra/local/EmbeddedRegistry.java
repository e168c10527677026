package io.budgetguard.infra.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio Registry 3.0.9 (in-memory storage) run as a child process of this JVM, serving the Confluent Schema
 * Registry API on loopback. Its output goes to a log file, never to our stdout. The process is destroyed on
 * {@link #close()} and, as a safety net, by a JVM shutdown hook, so that no registry outlives the JVM that started it.
 */
public final class EmbeddedRegistry implements AutoCloseable {

    /** System property naming the unpacked Apicurio directory. */
    public static final String HOME_PROPERTY = "apicurio.home";
    /** Environment variable naming the unpacked Apicurio directory, when the system property is absent. */
    public static final String HOME_ENV = "BUDGETGUARD_APICURIO_HOME";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRegistry.class);
    private static final String RUNNER_JAR = "apicurio-registry-app-3.0.9-runner.jar";
    private static final Path DEFAULT_HOME = Path.of("infra", "target", "apicurio");
    // Ready in ~4 s on an idle machine, but Quarkus start-up is CPU-bound: at load average 40-60 on 2 cores (parallel
    // builds, benchmarks and the chaos run's six JVMs) it took more than 60 s, failing dev and the chaos run.
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final Process process;
    private final int port;
    private final Path logFile;
    private final Path workDir;
    private final Thread shutdownHook;

    private EmbeddedRegistry(Process process, int port, Path workDir, Path logFile) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
        this.logFile = logFile;
        this.shutdownHook = new Thread(this::destroyProcess, "apicurio-registry-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts the registry on a free port. */
    public static EmbeddedRegistry start() {
        return start(0);
    }

    /** Starts the registry on {@code port} (0 = any free port) and waits until its Confluent API answers. */
    public static EmbeddedRegistry start(int port) {
        return start(port, locateHome());
    }

    /** Starts the registry unpacked in {@code home} on {@code port} (0 = any free port). */
    public static EmbeddedRegistry start(int port, Path home) {
        long started = System.nanoTime();
        Path jar = home.resolve(RUNNER_JAR);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(missingMessage("no " + RUNNER_JAR + " in " + home.toAbsolutePath()));
        }
        int resolvedPort = FreePorts.resolve(port);
        Path workDir = Directories.createTemp("budgetguard-apicurio-");
        Path logFile = workDir.resolve("apicurio.log");
        List<String> command = new ArrayList<>(List.of(
                javaExecutable(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + resolvedPort,
                "-jar", jar.toAbsolutePath().toString()));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            Directories.deleteRecursively(workDir);
            throw new UncheckedIOException("Cannot start Apicurio Registry from " + jar, e);
        }
        EmbeddedRegistry registry = new EmbeddedRegistry(process, resolvedPort, workDir, logFile);
        try {
            registry.awaitReady();
        } catch (RuntimeException e) {
            String log = registry.logTail();
            registry.close();
            throw new IllegalStateException(e.getMessage() + "\n--- last lines of the registry log ---\n" + log, e);
        }
        LOG.info("Apicurio Registry ready at {} in {} ms (log: {})", registry.ccompatUrl(),
                (System.nanoTime() - started) / 1_000_000, logFile);
        return registry;
    }

    /**
     * Where Apicurio is unpacked: system property {@value #HOME_PROPERTY}, else environment variable {@value #HOME_ENV},
     * else the first {@code infra/target/apicurio} found walking up from the working directory.
     */
    public static Path locateHome() {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(HOME_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(DEFAULT_HOME);
            if (Files.isRegularFile(candidate.resolve(RUNNER_JAR))) {
                return candidate;
            }
        }
        throw new IllegalStateException(missingMessage("set -D" + HOME_PROPERTY + " or " + HOME_ENV
                + ", or run from inside the project (no " + DEFAULT_HOME + " above " + Path.of("").toAbsolutePath()
                + ")"));
    }

    /** The Confluent-compatible API, e.g. {@code http://127.0.0.1:8085/apis/ccompat/v7}. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** Apicurio's native v3 API (what Apicurio's own serdes talk to). */
    public String registryV3Url() {
        return baseUrl() + "/apis/registry/v3";
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops the registry process (in-memory storage: its schemas are gone) and deletes its log directory. */
    @Override
    public void close() {
        destroyProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or ran: it did the same thing
        }
        Directories.deleteRecursively(workDir);
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String lastProblem = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with code " + process.exitValue()
                        + " before it was ready (port " + port + ", log " + logFile + ")");
            }
            try {
                HttpResponse<Void> response = http.send(probe, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
                lastProblem = "HTTP " + response.statusCode();
            } catch (ConnectException e) {
                lastProblem = "connection refused";
            } catch (IOException e) {
                lastProblem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
            }
        }
        throw new IllegalStateException("Apicurio Registry not ready after " + READY_TIMEOUT.toSeconds() + " s at "
                + ccompatUrl() + " (" + lastProblem + "; log " + logFile + ")");
    }

    private void destroyProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** The {@code java} of this JVM, so the registry runs on the same, known-good runtime. */
    private static String javaExecutable() {
        Path fromHome = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(fromHome)) {
            return fromHome.toString();
        }
        return ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("Cannot find the java executable of this JVM"));
    }

    private static String missingMessage(String detail) {
        return "Apicurio Registry is not unpacked (" + detail + "). Run `./mvnw -DskipTests install` once from the "
                + "project root: the infra module unpacks it into infra/target/apicurio.";
    }
}
