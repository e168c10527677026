package io.budgetguard.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command as a user runs it: {@code java -jar budgetguard.jar dev} in its own process, stopped with
 * SIGTERM (what Ctrl-C and {@code docker stop} send). Runs after {@code package} (failsafe), on the shaded jar.
 */
class DevProcessIT {

    @TempDir
    Path home;

    @Test
    void devStartsFromTheJarAndStopsCleanlyOnSigterm() throws Exception {
        Path jar = Path.of("target", "budgetguard.jar").toAbsolutePath();
        assertThat(jar).exists();
        int offset = freePortOffset();
        Path log = home.resolve("dev.log");
        Process dev = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m", "-XX:+UseSerialGC",
                        "-Dapicurio.home=" + System.getProperty("apicurio.home"),
                        "-jar", jar.toString(), "dev", "--home", home.toString(), "--port-offset", String.valueOf(offset))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(home.resolve("dev.env"))
                    && Files.readString(log).contains("Stop with Ctrl-C"));
            assertThat(Files.readString(home.resolve("dev.env"))).contains("DEMO_API_KEY=bg_");
            List<ProcessHandle> children = dev.descendants().toList();
            assertThat(children).as("the schema registry runs as a child process").isNotEmpty();

            dev.destroy(); // SIGTERM

            assertThat(dev.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
            assertThat(Files.readString(log)).contains("Local stack stopped");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(children).noneMatch(ProcessHandle::isAlive));
            assertThat(isFree(8080 + offset)).isTrue();
            assertThat(isFree(9092 + offset)).isTrue();
        } finally {
            dev.descendants().forEach(ProcessHandle::destroyForcibly);
            dev.destroyForcibly();
        }
    }

    private static int freePortOffset() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int offset = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
            if (List.of(8080, 8081, 8082, 9092, 8085, 5433).stream().allMatch(p -> isFree(p + offset))) {
                return offset;
            }
        }
        throw new IllegalStateException("No free port offset found");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
