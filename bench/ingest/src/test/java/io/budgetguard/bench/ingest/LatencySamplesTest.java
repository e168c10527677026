package io.budgetguard.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencySamplesTest {

    @Test
    void keepsTheWarmUpApartAndCountsOnlyTheMeasuredErrors() {
        // 4 per second: one second of warm-up (indexes 0-3), two measured (4-11)
        LatencySamples samples = new LatencySamples(4, 1, 2);
        samples.record(0, 90_000_000, null);
        samples.record(1, 80_000_000, null);
        samples.record(2, 1, "warm-up refusal");
        for (int i = 4; i < 10; i++) {
            samples.record(i, (i - 3) * 1_000_000L, null);
        }
        samples.record(10, 50_000_000, "503 broker unavailable");
        samples.record(11, 60_000_000, "connection reset");

        SingleEventLatencyRun.Result result = samples.result(2.0, 40, "groups", null);

        assertThat(samples.warmup()).isEqualTo(4);
        assertThat(samples.total()).isEqualTo(12);
        assertThat(result.requests()).isEqualTo(8);
        assertThat(result.requestsPerSecond()).isEqualTo(4.0);
        assertThat(result.errors()).isEqualTo(2);
        assertThat(result.firstError()).isEqualTo("503 broker unavailable");
        assertThat(result.p50Millis()).isEqualTo(3.0); // of 1..6 ms, nearest rank
        assertThat(result.maxMillis()).isEqualTo(6.0);
        assertThat(result.warmupP50Millis()).isEqualTo(80.0);
        assertThat(result.warmupP99Millis()).isEqualTo(90.0);
        assertThat(result.maxBySecond()).isEqualTo("90.0 4.0 60.0");
    }

    @Test
    void pacesEveryRequestInOrderAtItsOwnDueTime() {
        // 200 per second, one measured second: a request due every 5 ms, whatever the answers do
        LatencySamples samples = new LatencySamples(200, 0, 1);
        List<Integer> indexes = new ArrayList<>();
        List<Long> dues = new ArrayList<>();

        double measuredSeconds = samples.paceOpenLoop(new CpuMeter(), (index, due) -> {
            indexes.add(index);
            dues.add(due);
            assertThat(System.nanoTime()).isGreaterThanOrEqualTo(due); // never sent before it is due
        });

        assertThat(indexes).hasSize(200).isSorted();
        assertThat(indexes.get(199)).isEqualTo(199);
        for (int i = 1; i < dues.size(); i++) {
            assertThat(dues.get(i) - dues.get(0)).isEqualTo(i * 5_000_000L);
        }
        assertThat(measuredSeconds).isGreaterThanOrEqualTo(0.995); // the last one is due 995 ms after the first
    }
}
