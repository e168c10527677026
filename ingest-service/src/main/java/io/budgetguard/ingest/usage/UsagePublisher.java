package io.budgetguard.ingest.usage;

import io.budgetguard.common.http.ProblemException;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes accepted events to {@code usage.events.v1}, keyed by tenant id, and returns only once Kafka acknowledged
 * every one of them ({@code acks=all}, idempotent producer). Anything else — a send refused, an acknowledgement
 * missing at the deadline — is a 503: the client retries the whole batch with the same event ids, and the
 * duplicates that a partial success leaves behind are removed downstream (dedup by tenant and event id).
 *
 * <p>Backpressure: a request waits at most {@code timeout} in all (sending and acknowledgements together), and is
 * refused at once when the producer's buffer is nearly full ({@link ProducerBuffer}): during an outage the instance
 * holds at most {@code buffer.memory} of unacknowledged records and answers every request within the timeout.
 */
public final class UsagePublisher {

    private static final Logger LOG = LoggerFactory.getLogger(UsagePublisher.class);

    /** The most a send may block for metadata or buffer space, so that a dead broker cannot hang requests. */
    public static final int MAX_BLOCK_MS = 1000;
    /** Per record, beyond key and value: the record batch's per-record overhead, rounded up. */
    private static final int RECORD_OVERHEAD_BYTES = 32;

    /**
     * Requests of at most this many events go through the small-request producer (its own, shorter linger), larger
     * ones through the batching producer: a gateway that does not batch sends one event per request and waits for
     * each, and the batching producer's linger would be most of its latency.
     */
    public static final int SMALL_REQUEST_MAX_EVENTS = 10;

    private final Producer<String, byte[]> producer;
    private final Producer<String, byte[]> smallProducer;
    private final AvroSerde<UsageEvent> serde;
    private final Duration timeout;
    private final String topic = Topics.USAGE_EVENTS.name();
    private final ThrottledWarning warning = new ThrottledWarning(LOG, Duration.ofSeconds(10));
    private final ProducerBuffer buffer;
    private final ProducerBuffer smallBuffer;

    public UsagePublisher(Producer<String, byte[]> producer, SchemaRegistry registry, Duration timeout) {
        this(producer, producer, registry, timeout);
    }

    /**
     * @param smallProducer the producer of requests of at most {@link #SMALL_REQUEST_MAX_EVENTS} events (may be
     *                      {@code producer} itself)
     */
    public UsagePublisher(Producer<String, byte[]> producer, Producer<String, byte[]> smallProducer,
            SchemaRegistry registry, Duration timeout) {
        this.producer = producer;
        this.smallProducer = smallProducer;
        this.serde = Topics.USAGE_EVENTS.valueSerde(registry);
        this.timeout = timeout;
        this.buffer = ProducerBuffer.of(producer);
        this.smallBuffer = smallProducer == producer ? buffer : ProducerBuffer.of(smallProducer);
    }

    /**
     * Settings of the one producer of an ingest instance (usage events and control-plane writes). Acknowledgements
     * fail after {@code timeout} at the latest ({@code delivery.timeout.ms}).
     */
    public static Map<String, Object> producerConfig(String bootstrapServers, int lingerMs, Duration timeout) {
        return producerConfig(bootstrapServers, lingerMs, timeout, 32L * 1024 * 1024);
    }

    /** As above, with {@code buffer.memory}: the most unacknowledged data the instance holds. */
    public static Map<String, Object> producerConfig(String bootstrapServers, int lingerMs, Duration timeout,
            long bufferBytes) {
        int deliveryTimeout = (int) timeout.toMillis();
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferBytes);
        // a send blocks at most a fifth of the timeout (metadata, buffer space), so that a request that meets a
        // blocking send just before its deadline still answers within the timeout plus that fifth
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(MAX_BLOCK_MS, deliveryTimeout / 5));
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, Math.min(5000, deliveryTimeout / 2)));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(deliveryTimeout, 2000 + lingerMs));
        return config;
    }

    /**
     * Settings of the producer of small usage requests ({@link #SMALL_REQUEST_MAX_EVENTS}): as
     * {@link #producerConfig}, with its own linger and client id, and without compression. Its batches hold the few
     * ~100-byte records that arrived within the linger: lz4's frame costs more bytes than it saves on them, and CPU in
     * the producer and in the broker (which decompresses every batch to validate it) once per batch, i.e. per request
     * at single-event rates.
     */
    public static Map<String, Object> smallProducerConfig(String bootstrapServers, int lingerMs, Duration timeout,
            long bufferBytes) {
        Map<String, Object> config = producerConfig(bootstrapServers, lingerMs, timeout, bufferBytes);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-small");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return config;
    }

    /**
     * Sends every event and waits for every acknowledgement; 503 when any is missing at the deadline ({@code timeout}
     * after the call), and at once when the producer's buffer has no room for the batch.
     */
    public void publish(String tenantId, List<UsageEvent> events) {
        publish(tenantId, events, System.nanoTime());
    }

    /**
     * As {@link #publish(String, List)}, with the deadline counted from {@code startedNanos} ({@link System#nanoTime()}
     * when the request arrived), so that the whole request, not only its publishing, answers within the timeout.
     */
    public void publish(String tenantId, List<UsageEvent> events, long startedNanos) {
        int schemaId = schemaId();
        List<byte[]> values = new ArrayList<>(events.size());
        for (UsageEvent event : events) {
            values.add(UsageEventEncoder.encode(schemaId, event));
        }
        publishEncoded(tenantId, values, startedNanos);
    }

    /** The registry id of the {@code UsageEvent} schema, registered on first use: what encoded values must carry. */
    public int schemaId() {
        return serde.schemaId(topic);
    }

    /**
     * As {@link #publish(String, List, long)}, for values already encoded ({@link UsageRequestReader#readEncoded}):
     * Confluent-framed {@code UsageEvent} records with {@link #schemaId()}.
     */
    public void publishEncoded(String tenantId, List<byte[]> values, long startedNanos) {
        CompletableFuture<Void> acknowledged = publishEncodedAsync(tenantId, values, startedNanos);
        try {
            acknowledged.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ProblemException problem ? problem : unavailable();
        }
    }

    /**
     * As {@link #publishEncoded}, without waiting: sends every event and returns a stage that completes when Kafka
     * acknowledged every one of them, and exceptionally with a 503 {@link ProblemException} when a send or an
     * acknowledgement failed or at the deadline ({@code timeout} after {@code startedNanos}), whichever comes first.
     * What is known before anything is sent (the buffer is nearly full, sends block past the deadline) is thrown at
     * once, as by {@link #publishEncoded}. The stage completes on the producer's I/O thread (acknowledgements) or on
     * {@link CompletableFuture}'s delay thread (the deadline): what depends on it must not block.
     */
    public CompletableFuture<Void> publishEncodedAsync(String tenantId, List<byte[]> values, long startedNanos) {
        long deadline = startedNanos + timeout.toNanos();
        boolean small = values.size() <= SMALL_REQUEST_MAX_EVENTS;
        Producer<String, byte[]> producer = small ? smallProducer : this.producer;
        long bytes = 0;
        for (byte[] value : values) {
            bytes += value.length + tenantId.length() + RECORD_OVERHEAD_BYTES;
        }
        if (!(small ? smallBuffer : buffer).hasRoomFor(bytes)) {
            warning.warn("The producer buffer is nearly full (Kafka is slow or unreachable); refusing requests");
            throw Problems.unavailable("Kafka is not keeping up and this instance's send buffer is full; nothing was "
                    + "accepted: retry the whole request with the same event_ids");
        }
        Acks acks = new Acks(values.size());
        try {
            for (byte[] value : values) {
                // each send may block up to max.block.ms while the broker is unreachable (no metadata): give up at the
                // deadline rather than wait that long once per event
                if (System.nanoTime() - deadline > 0) {
                    warning.warn("Sending usage events to " + topic + " blocks (no metadata: the broker is unreachable?)");
                    throw unavailable();
                }
                producer.send(new ProducerRecord<>(topic, tenantId, value), acks);
            }
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            warning.warn("Cannot send usage events to " + topic + ": " + e);
            throw unavailable();
        }
        // the deadline is the request's, not delivery.timeout.ms (counted from each send, and at least 2 s + linger);
        // no timer when every acknowledgement came during the sends (a MockProducer, a send that failed at once)
        CompletableFuture<Void> watched = acks.done.isDone() ? acks.done
                : acks.done.orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        CompletableFuture<Void> answered = new CompletableFuture<>();
        watched.whenComplete((ok, failure) -> {
            if (failure == null) {
                answered.complete(null);
            } else {
                answered.completeExceptionally(refusal(failure, acks));
            }
        });
        return answered;
    }

    /** The 503 for a failed or late acknowledgement, logged (throttled) with the reason. */
    private ProblemException refusal(Throwable failure, Acks acks) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            warning.warn("Kafka did not acknowledge " + acks.remaining.get() + " usage event(s) within "
                    + timeout.toMillis() + " ms");
        } else {
            warning.warn("Kafka refused usage events for " + topic + ": " + cause);
        }
        return unavailable();
    }

    private static ProblemException unavailable() {
        return Problems.unavailable("Kafka did not acknowledge every event; retry the whole request with the same "
                + "event_ids (duplicates are removed downstream)");
    }

    /** Completes when every send is acknowledged, or exceptionally at the first failure. */
    private static final class Acks implements Callback {
        private final AtomicInteger remaining;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        Acks(int count) {
            this.remaining = new AtomicInteger(count);
            if (count == 0) {
                done.complete(null);
            }
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                done.completeExceptionally(exception);
            } else if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            }
        }
    }
}
