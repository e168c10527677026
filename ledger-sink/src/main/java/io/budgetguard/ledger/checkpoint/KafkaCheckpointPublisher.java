package io.budgetguard.ledger.checkpoint;

import io.budgetguard.schemas.LedgerCheckpoint;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CheckpointPublisher} on an idempotent producer ({@code acks=all}), sending from its own thread: a producer
 * blocks while it has no metadata for the topic (a broker away, a topic not created yet), and the sink's loop must
 * never wait for that. A send that fails after the producer's own retries, or that finds the bounded queue full, is
 * logged and counted; the next checkpoint of the chain supersedes it on the compacted topic, and every sink
 * republishes the newest checkpoint of each chain when it starts.
 */
public final class KafkaCheckpointPublisher implements CheckpointPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCheckpointPublisher.class);
    private static final int QUEUE = 10_000;

    private final Producer<String, LedgerCheckpoint> producer;
    private final String topic;
    private final AtomicLong failures = new AtomicLong();
    private final ThreadPoolExecutor sender;

    public KafkaCheckpointPublisher(Producer<String, LedgerCheckpoint> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE),
                runnable -> {
                    Thread thread = new Thread(runnable, "ledger-checkpoint-publisher");
                    thread.setDaemon(true);
                    return thread;
                },
                (runnable, executor) -> {
                    failures.incrementAndGet();
                    LOG.warn("Checkpoint publishing is {} sends behind: one dropped (the next checkpoint of its chain "
                            + "supersedes it)", QUEUE);
                });
    }

    public static <S extends Serializer<LedgerCheckpoint>> KafkaCheckpointPublisher create(String bootstrap,
            String topic, S valueSerializer) {
        Map<String, Object> properties = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "budgetguard-ledger-checkpoints",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return new KafkaCheckpointPublisher(new KafkaProducer<>(properties, new StringSerializer(), valueSerializer),
                topic);
    }

    @Override
    public void publish(Collection<Checkpoint> checkpoints) {
        for (Checkpoint checkpoint : checkpoints) {
            sender.execute(() -> send(checkpoint));
        }
    }

    private void send(Checkpoint checkpoint) {
        try {
            producer.send(new ProducerRecord<>(topic, checkpoint.chainId(), toAvro(checkpoint)), (metadata, e) -> {
                if (e != null) {
                    failed(checkpoint, e);
                }
            });
        } catch (RuntimeException e) {
            failed(checkpoint, e);
        }
    }

    private void failed(Checkpoint checkpoint, Exception e) {
        failures.incrementAndGet();
        LOG.warn("Checkpoint of {} at seq {} not published to {}: {}", checkpoint.chainId(), checkpoint.seq(), topic,
                e.toString());
    }

    public static LedgerCheckpoint toAvro(Checkpoint checkpoint) {
        return LedgerCheckpoint.newBuilder()
                .setTenantId(checkpoint.chainId())
                .setSeq(checkpoint.seq())
                .setHeadHash(ByteBuffer.wrap(checkpoint.headHash().bytes()))
                .setSignedAt(checkpoint.signedAt())
                .setSignature(checkpoint.signature())
                .setKeyVersion(checkpoint.keyVersion())
                .build();
    }

    /** Sends that failed since start (a metric). */
    public long failureCount() {
        return failures.get();
    }

    /** Sends what is queued (for up to 10 s), then closes the producer. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(10, TimeUnit.SECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sender.shutdownNow();
        }
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warn("Closing the checkpoint producer failed: {}", e.toString());
        }
    }
}
