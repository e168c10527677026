package io.budgetguard.metering.topology;

import io.budgetguard.metering.control.DecodeFailures;
import io.budgetguard.schemas.RejectedUsage;
import io.budgetguard.schemas.UsageEvent;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes usage events from raw bytes. A record that is not a valid event goes to {@code usage.rejected.v1} with the
 * reason and the stream goes on; decoding here (not in the source's deserializer) is what keeps one bad record from
 * stopping the application. A registry outage is not a bad record: it is rethrown so the record is retried.
 */
final class UsageDecoder implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(UsageDecoder.class);
    /** Rejected payloads larger than this are not copied (the source offset still points at them). */
    static final int MAX_KEPT_PAYLOAD_BYTES = 64 * 1024;

    private final String topic;
    private final Deserializer<UsageEvent> deserializer;
    private final String acceptedChild;
    private final String rejectedChild;
    private ProcessorContext<String, SpecificRecord> context;
    private Sensor rejected;

    UsageDecoder(String topic, Deserializer<UsageEvent> deserializer, String acceptedChild, String rejectedChild) {
        this.topic = topic;
        this.deserializer = deserializer;
        this.acceptedChild = acceptedChild;
        this.rejectedChild = rejectedChild;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.rejected = MeteringMetrics.counter(context.metrics(), MeteringMetrics.REJECTED);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            reject(record, "undecodable: the record has no value");
            return;
        }
        UsageEvent event;
        try {
            event = deserializer.deserialize(topic, record.value());
        } catch (RuntimeException e) {
            if (!DecodeFailures.isBadRecord(e)) {
                throw e;
            }
            reject(record, "undecodable: " + DecodeFailures.describe(e));
            return;
        }
        Optional<String> problem = UsageValidation.problem(record.key(), event);
        if (problem.isPresent()) {
            reject(record, problem.get());
            return;
        }
        context.forward(record.withValue(event), acceptedChild);
    }

    private void reject(Record<String, byte[]> record, String reason) {
        Optional<RecordMetadata> source = context.recordMetadata();
        byte[] payload = record.value();
        RejectedUsage rejection = RejectedUsage.newBuilder()
                .setTenantId(record.key() == null ? "" : record.key())
                .setReason(reason)
                .setSourceTopic(source.map(RecordMetadata::topic).orElse(topic))
                .setSourcePartition(source.map(RecordMetadata::partition).orElse(-1))
                .setSourceOffset(source.map(RecordMetadata::offset).orElse(-1L))
                .setRejectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setPayload(payload != null && payload.length <= MAX_KEPT_PAYLOAD_BYTES
                        ? java.nio.ByteBuffer.wrap(payload) : null)
                .build();
        rejected.record();
        LOG.warn("Rejected usage record at {}-{}@{}: {}", rejection.getSourceTopic(),
                rejection.getSourcePartition(), rejection.getSourceOffset(), reason);
        context.forward(new Record<String, SpecificRecord>(rejection.getTenantId(), rejection, record.timestamp(),
                record.headers()), rejectedChild);
    }
}
