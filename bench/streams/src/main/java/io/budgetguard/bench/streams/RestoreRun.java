package io.budgetguard.bench.streams;

import io.budgetguard.metering.MeteringConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * How long an instance that lost its local state (a new machine, a wiped disk) takes to restore every store from its
 * changelog, the dedup store's included: from start until it is RUNNING with no restoration in progress.
 */
final class RestoreRun {

    record Result(Duration elapsed, long records) {}

    private RestoreRun() {}

    static Result restore(Topology topology, MeteringConfig config, Path localState) throws InterruptedException {
        deleteRecursively(localState);
        AtomicInteger inProgress = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        AtomicLong restored = new AtomicLong();
        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
                started.incrementAndGet();
                inProgress.incrementAndGet();
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long records) {
                restored.addAndGet(records);
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long total) {
                inProgress.decrementAndGet();
            }
        });
        long start = System.nanoTime();
        streams.start();
        try {
            long deadline = start + Duration.ofMinutes(10).toNanos();
            while (!(streams.state() == KafkaStreams.State.RUNNING && started.get() > 0 && inProgress.get() == 0)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("restore did not finish within 10 minutes");
                }
                Thread.sleep(10);
            }
            return new Result(Duration.ofNanos(System.nanoTime() - start), restored.get());
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
