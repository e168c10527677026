package io.budgetguard.metering.topology;

import io.budgetguard.schemas.UsageEvent;
import java.time.Duration;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Forwards the first copy of each (tenant, event_id) and drops the others.
 *
 * <p>The ids live in a persistent window store, keyed {@code tenant NUL event_id}, stamped with the stream time at which
 * the first copy was seen, with retention = the dedup horizon. A later copy is a duplicate if the store holds the id
 * stamped within the horizon. Expiry costs nothing per event: the store drops whole time segments (and its changelog
 * deletes by retention), so no purge scan is ever needed. A copy is a duplicate exactly when the first copy was seen
 * within the horizon of stream time (the fetch is bounded by it); the space is reclaimed a segment at a time, up to
 * half a horizon later.
 */
final class Deduplicator implements Processor<String, UsageEvent, String, UsageEvent> {

    private static final char SEPARATOR = '\u0000';

    private final String storeName;
    private final long horizonMillis;
    private ProcessorContext<String, UsageEvent> context;
    private WindowStore<String, Long> seen;
    private Sensor duplicates;

    Deduplicator(String storeName, Duration horizon) {
        this.storeName = storeName;
        this.horizonMillis = horizon.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, UsageEvent> context) {
        this.context = context;
        this.seen = context.getStateStore(storeName);
        this.duplicates = MeteringMetrics.counter(context.metrics(), MeteringMetrics.DUPLICATES);
    }

    @Override
    public void process(Record<String, UsageEvent> record) {
        UsageEvent event = record.value();
        String key = event.getTenantId() + SEPARATOR + event.getEventId();
        long now = context.currentStreamTimeMs();
        try (WindowStoreIterator<Long> earlier = seen.fetch(key, now - horizonMillis, now)) {
            if (earlier.hasNext()) {
                duplicates.record();
                return;
            }
        }
        seen.put(key, now, now);
        context.forward(record);
    }
}
