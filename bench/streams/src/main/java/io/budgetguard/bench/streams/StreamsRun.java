package io.budgetguard.bench.streams;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * One Kafka Streams application over the preloaded input: timed from its first RUNNING state (a fresh application has
 * nothing to restore, so processing starts then) until its committed offsets reach the input's end offsets, i.e. until
 * the last event's transaction committed.
 */
final class StreamsRun implements AutoCloseable {

    private static final long POLL_MILLIS = 10;

    private final String applicationId;
    private final KafkaStreams streams;
    private volatile long runningAtNanos;
    private volatile long runningAtProcessCpuNanos;
    private volatile long runningAtThreadCpuNanos;
    private volatile ThreadCpu runningAtThreads;

    private StreamsRun(Topology topology, Properties props) {
        this.applicationId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        this.streams = new KafkaStreams(topology, props);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && runningAtNanos == 0) {
                runningAtProcessCpuNanos = CpuTime.process();
                runningAtThreadCpuNanos = CpuTime.threadsNamed(applicationId + "-", "-StreamThread-");
                runningAtThreads = ThreadCpu.snapshot();
                runningAtNanos = System.nanoTime();
            }
        });
    }

    static StreamsRun start(Topology topology, Properties props) {
        StreamsRun run = new StreamsRun(topology, props);
        run.streams.start();
        return run;
    }

    /** Waits for the first RUNNING state: the application has its partitions and has started processing. */
    void awaitRunning() throws InterruptedException {
        while (runningAtNanos == 0) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException(applicationId + " stopped: " + streams.state());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    KafkaStreams streams() {
        return streams;
    }

    /** Wall-clock time, CPU time of the whole process and of the stream thread, from RUNNING to the last commit. */
    record Elapsed(Duration wall, Duration processCpu, Duration streamThreadCpu, ThreadCpu threadsBefore,
            ThreadCpu threadsAfter) {}

    /** Waits until every input partition is committed up to {@code endOffsets}. */
    Elapsed awaitCommitted(Admin admin, Map<TopicPartition, Long> endOffsets) throws InterruptedException {
        while (true) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException(applicationId + " stopped: " + streams.state());
            }
            if (runningAtNanos != 0 && committedUpTo(admin, endOffsets)) {
                long wall = System.nanoTime() - runningAtNanos;
                long process = CpuTime.process() - runningAtProcessCpuNanos;
                long thread = CpuTime.threadsNamed(applicationId + "-", "-StreamThread-") - runningAtThreadCpuNanos;
                return new Elapsed(Duration.ofNanos(wall), Duration.ofNanos(process), Duration.ofNanos(thread),
                        runningAtThreads, ThreadCpu.snapshot());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private boolean committedUpTo(Admin admin, Map<TopicPartition, Long> endOffsets) {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
            OffsetAndMetadata offset = committed.get(end.getKey());
            if (offset == null || offset.offset() < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
