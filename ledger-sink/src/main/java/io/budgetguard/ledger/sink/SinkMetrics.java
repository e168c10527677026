package io.budgetguard.ledger.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/** The sink's Prometheus metrics ({@code ledger_sink_*}). */
final class SinkMetrics {

    final Counter appended;
    final Counter duplicates;
    final Counter failures;
    final Timer batches;

    SinkMetrics(MeterRegistry registry, Supplier<Number> assignedPartitions, Supplier<Number> personalDataNotStored) {
        appended = Counter.builder("ledger.sink.entries.appended")
                .description("Ledger entries committed").register(registry);
        duplicates = Counter.builder("ledger.sink.duplicates.skipped")
                .description("Events skipped because the ledger already held their (tenant_id, event_id)")
                .register(registry);
        failures = Counter.builder("ledger.sink.batch.failures")
                .description("Batches rolled back and retried").register(registry);
        batches = Timer.builder("ledger.sink.batch")
                .description("Time to append one batch, commit included").register(registry);
        registry.gauge("ledger.sink.assigned.partitions", assignedPartitions, s -> s.get().doubleValue());
        registry.more().counter("ledger.sink.personal.data.not.stored", java.util.List.of(), personalDataNotStored,
                s -> s.get().doubleValue());
    }
}
