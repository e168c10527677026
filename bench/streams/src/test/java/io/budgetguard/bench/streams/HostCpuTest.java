package io.budgetguard.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HostCpuTest {

    private static final String BEFORE = """
            cpu  3615782 0 404395 1074522 37480 0 42061 85236 0 0
            cpu0 1807891 0 202197 537261 18740 0 21030 42618 0 0
            intr 1 2 3
            """;

    @Test
    void sharesOfTheMachinesTimeBetweenTwoSnapshots() {
        // one second of both CPUs (200 ticks): 40 user, 30 system, 8 softirq, 70 idle, 2 iowait, 50 stolen
        String after = "cpu  3615822 0 404425 1074592 37482 0 42069 85286 0 0\n";

        HostCpu.Shares shares = HostCpu.parse(after).since(HostCpu.parse(BEFORE));

        assertThat(shares.busyPct()).isCloseTo(39.0, within(1e-9));
        assertThat(shares.idlePct()).isCloseTo(36.0, within(1e-9));
        assertThat(shares.stealPct()).isCloseTo(25.0, within(1e-9));
        assertThat(shares).hasToString("host CPU: busy 39 %, idle 36 %, stolen 25 %");
    }

    @Test
    void missingSnapshotsReadAsNotAvailable() {
        HostCpu one = HostCpu.parse(BEFORE);

        assertThat(HostCpu.describe(null, one)).isEqualTo("host CPU: n/a");
        assertThat(HostCpu.stealPct(one, null)).isEqualTo(-1);
    }

    @Test
    void refusesAStatWithoutTheStealColumn() {
        assertThatThrownBy(() -> HostCpu.parse("cpu  1 2 3 4\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostCpu.parse("intr 1 2\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
