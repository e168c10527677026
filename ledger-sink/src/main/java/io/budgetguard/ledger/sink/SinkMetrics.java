package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.checkpoint.Checkpointer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The sink's Prometheus metrics ({@code ledger_sink_*}). */
final class SinkMetrics {

    final Counter appended;
    final Counter audited;
    final Counter duplicates;
    final Counter failures;
    final Timer batches;

    /**
     * Micrometer holds gauge and function-counter targets weakly: {@code loop}, {@code mapper} and
     * {@code checkpointer} must outlive it.
     */
    SinkMetrics(MeterRegistry registry, LedgerSinkLoop loop, PricedUsageMapper mapper, Checkpointer checkpointer) {
        appended = Counter.builder("ledger.sink.entries.appended")
                .description("Ledger entries committed").register(registry);
        audited = Counter.builder("ledger.sink.audit.appended")
                .description("Audit entries (alerts, control-plane changes) committed").register(registry);
        duplicates = Counter.builder("ledger.sink.duplicates.skipped")
                .description("Events skipped because the ledger already held their (tenant_id, event_id)")
                .register(registry);
        failures = Counter.builder("ledger.sink.batch.failures")
                .description("Batches rolled back and retried").register(registry);
        batches = Timer.builder("ledger.sink.batch")
                .description("Time to append one batch, commit included").register(registry);
        Gauge.builder("ledger.sink.assigned.partitions", loop, LedgerSinkLoop::assignedPartitions)
                .description("Partitions of the sink's topics assigned to this instance").register(registry);
        FunctionCounter.builder("ledger.sink.personal.data.encrypted", mapper, PricedUsageMapper::personalDataEncrypted)
                .description("Events whose end_user/metadata were stored encrypted with their tenant's data key")
                .register(registry);
        FunctionCounter.builder("ledger.sink.checkpoints.signed", checkpointer, Checkpointer::signedCount)
                .description("Checkpoints signed (stored unless their batch rolled back)").register(registry);
        FunctionCounter.builder("ledger.sink.checkpoints.failures", checkpointer, Checkpointer::failureCount)
                .description("Checkpoint signatures the key service refused or could not give; retried")
                .register(registry);
    }
}
