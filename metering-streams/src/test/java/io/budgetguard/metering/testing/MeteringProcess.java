package io.budgetguard.metering.testing;

import io.budgetguard.metering.MeteringMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * metering-streams as a child JVM ({@link MeteringMain} on the test classpath, configured by environment variables),
 * so that a test can kill it the way {@code kill -9} does: no shutdown hook, no commit, no leave-group, an open
 * transaction left behind.
 */
public final class MeteringProcess implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private MeteringProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code java -cp <test classpath> MeteringMain} with {@code env} plus {@code STREAMS_PORT} (a free port). */
    public static MeteringProcess start(Map<String, String> env, Path log) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"),
                MeteringMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("STREAMS_PORT", String.valueOf(port));
        builder.environment().put("HTTP_HOST", "127.0.0.1");
        try {
            return new MeteringProcess(builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a metering-streams process", e);
        }
    }

    /** True once {@code /health/ready} answers 200 (Kafka Streams RUNNING); fails fast if the process died. */
    public boolean isReady() {
        if (!process.isAlive()) {
            throw new AssertionError("metering-streams process exited with " + process.exitValue() + "; see " + log);
        }
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** SIGKILL, as {@code kill -9}: waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
