package io.budgetguard.cli.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void shouldReportNearestRankPercentilesInMilliseconds() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int millis = 100; millis >= 1; millis--) {
            recorder.record(millis * 1_000_000L);
        }

        LatencyRecorder.Percentiles overall = recorder.overall();

        assertThat(overall.count()).isEqualTo(100);
        assertThat(overall.p50Millis()).isEqualTo(50.0);
        assertThat(overall.p99Millis()).isEqualTo(99.0);
        assertThat(overall.maxMillis()).isEqualTo(100.0);
    }

    @Test
    void shouldStartANewIntervalButKeepTheWholeRun() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(5_000_000);
        recorder.takeInterval();
        recorder.record(7_000_000);

        assertThat(recorder.takeInterval().p50Millis()).isEqualTo(7.0);
        assertThat(recorder.takeInterval().count()).isZero();
        assertThat(recorder.overall().count()).isEqualTo(2);
    }
}
