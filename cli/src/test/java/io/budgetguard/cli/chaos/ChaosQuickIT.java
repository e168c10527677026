package io.budgetguard.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bench/chaos/run.sh --quick} on the packaged jar, as CI runs it: the services as separate processes, 20 000
 * events with duplicates, kill -9 of streams, sink and an ingest instance, SIGTERM to the other instance, a broker
 * restart; passes only when nothing acknowledged was lost or duplicated, spend equals the ledger, alerts are exactly
 * one per crossing and {@code ledger verify} exits 0. The script's output is kept in {@code target/chaos-quick.log}.
 */
class ChaosQuickIT {

    @Test
    void theQuickChaosRunPasses() throws Exception {
        Path jar = Path.of("target", "budgetguard.jar").toAbsolutePath();
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path log = Path.of("target", "chaos-quick.log").toAbsolutePath();
        assertThat(jar).exists();
        Process run = new ProcessBuilder("bash", root.resolve("bench/chaos/run.sh").toString(), "--quick", "--jar", jar.toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = run.waitFor(12, TimeUnit.MINUTES);
        if (!finished) {
            run.destroy(); // SIGTERM: the script's trap stops every process it started
            run.waitFor(2, TimeUnit.MINUTES);
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("the quick chaos run finished within 12 minutes").isTrue();
        assertThat(output).contains("CHAOS PASS");
        assertThat(run.exitValue()).isZero();
    }
}
