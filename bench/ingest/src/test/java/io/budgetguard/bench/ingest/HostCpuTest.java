package io.budgetguard.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostCpuTest {

    private static final String START = """
            cpu  1000 50 400 8000 100 10 40 400 0 0
            cpu0 500 25 200 4000 50 5 20 200 0 0
            cpu1 500 25 200 4000 50 5 20 200 0 0
            intr 123456 0 0
            ctxt 987654
            """;
    // 200 ticks later (2 CPUs, 1 s): 60 stolen, 70 idle, 10 iowait, 60 user, 0 nice, 0 system
    private static final String END = """
            cpu  1060 50 400 8070 110 10 40 460 30 0
            cpu0 530 25 200 4035 55 5 20 230 15 0
            cpu1 530 25 200 4035 55 5 20 230 15 0
            intr 123999 0 0
            """;

    @Test
    void readsTheAggregateLineNotAPerCpuOne() {
        HostCpu cpu = HostCpu.parse(START);

        assertThat(cpu).isEqualTo(new HostCpu(8100, 400, 10000));
    }

    @Test
    void sharesAreOfTheMachinesTimeBetweenTheSamples() {
        HostCpu.Share share = HostCpu.Share.between(Optional.of(HostCpu.parse(START)), Optional.of(HostCpu.parse(END)));

        assertThat(share.stealPercent()).isEqualTo(30.0);
        assertThat(share.idlePercent()).isEqualTo(40.0);
        assertThat(share.stealField()).isEqualTo("30.0");
        assertThat(share).hasToString("host steal 30.0 %, idle 40.0 %");
    }

    @Test
    void guestTimeIsNotCountedTwice() {
        // guest (9th column) is already part of user: counting it would lower every share
        HostCpu end = HostCpu.parse(END);

        assertThat(end.total()).isEqualTo(1060 + 50 + 400 + 8070 + 110 + 10 + 40 + 460);
    }

    @Test
    void withoutSamplesTheShareIsNotAvailable() {
        HostCpu.Share share = HostCpu.Share.between(Optional.empty(), Optional.of(HostCpu.parse(END)));

        assertThat(share.stealField()).isEqualTo("n/a");
        assertThat(share).hasToString("host steal n/a, idle n/a");
    }

    @Test
    void aTextWithoutTheCpuLineIsRefused() {
        assertThatThrownBy(() -> HostCpu.parse("cpu0 1 2 3 4 5 6 7 8\nintr 1\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
