package io.budgetguard.metering.spend;

import io.budgetguard.metering.budget.SpendTotals;
import io.budgetguard.metering.topology.MeteringTopology;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Locates a tenant's spend with Kafka Streams' interactive-query metadata. A tenant's usage is keyed by tenant id, so
 * all of its state lives in the task of {@code partition(tenant id)}; {@code queryMetadataForKey} names the instance
 * (its {@code application.server}) that runs that task as an active task.
 */
public final class StreamsSpendLocator implements SpendLocator {

    private static final Serializer<String> TENANT_KEY = new StringSerializer();

    private final HostInfo self;
    private volatile KafkaStreams streams;

    /** @param self this instance's {@code application.server}, exactly as configured */
    public StreamsSpendLocator(HostInfo self) {
        this.self = Objects.requireNonNull(self, "self");
    }

    /** Starts locating with {@code kafkaStreams} (created after the HTTP server, which must know its port first). */
    public void attach(KafkaStreams kafkaStreams) {
        this.streams = kafkaStreams;
    }

    @Override
    public TenantState locate(String tenantId) {
        KafkaStreams current = streams;
        if (current == null) {
            return new TenantState.Unavailable("metering-streams is starting");
        }
        KafkaStreams.State state = current.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return new TenantState.Unavailable("metering-streams is " + state.name().toLowerCase());
        }
        KeyQueryMetadata owner;
        try {
            owner = current.queryMetadataForKey(MeteringTopology.SPEND_STORE, tenantId, TENANT_KEY);
        } catch (StreamsException | IllegalStateException e) {
            return new TenantState.Unavailable("the owner of the tenant's partition is not known yet");
        }
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)
                || HostInfo.unavailable().equals(owner.activeHost())) {
            return new TenantState.Unavailable("the tenant's partition is being reassigned");
        }
        if (!self.equals(owner.activeHost())) {
            return new TenantState.Remote("http://" + owner.activeHost().host() + ":" + owner.activeHost().port());
        }
        try {
            ReadOnlyKeyValueStore<String, SpendTotals> spend = current.store(StoreQueryParameters
                    .fromNameAndType(MeteringTopology.SPEND_STORE, QueryableStoreTypes.<String, SpendTotals>keyValueStore())
                    .withPartition(owner.partition()));
            ReadOnlyKeyValueStore<String, Long> alerted = current.store(StoreQueryParameters
                    .fromNameAndType(MeteringTopology.ALERTED_STORE, QueryableStoreTypes.<String, Long>keyValueStore())
                    .withPartition(owner.partition()));
            return new TenantState.Local(new SpendReader(spend, alerted));
        } catch (InvalidStateStoreException e) {
            return new TenantState.Unavailable("the tenant's state is being restored or moved");
        }
    }
}
