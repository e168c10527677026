package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.checkpoint.ChainProgress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The chain heads (and how far each is signed) of the tenants seen on this instance's partitions, so that a batch does
 * not re-read them. Only valid while this instance is the only writer of those tenants: dropped for partitions that
 * are revoked, and entirely after any failed batch (a {@link ChainForkedException} from {@link ChainFence} is how
 * another writer shows up). Single-threaded: used by the sink loop only.
 */
final class ChainHeadCache {

    /** A tenant's committed head and its checkpoint progress. */
    record Tracked(ChainHead head, ChainProgress progress) {}

    private final Map<String, Tracked> chains = new HashMap<>();
    private final Map<Integer, Set<String>> tenantsByPartition = new HashMap<>();

    Optional<Tracked> get(String tenantId) {
        return Optional.ofNullable(chains.get(tenantId));
    }

    void put(int partition, String tenantId, Tracked tracked) {
        chains.put(tenantId, tracked);
        tenantsByPartition.computeIfAbsent(partition, p -> new HashSet<>()).add(tenantId);
    }

    /** Records a new progress of a tenant already cached (a checkpoint was stored); ignored for an unknown tenant. */
    void progressed(String tenantId, ChainProgress progress) {
        chains.computeIfPresent(tenantId, (t, tracked) -> new Tracked(tracked.head(), progress));
    }

    /** Every cached chain (a snapshot), for the idle checkpoint pass. */
    List<Map.Entry<String, Tracked>> snapshot() {
        return new ArrayList<>(chains.entrySet());
    }

    void dropPartitions(Collection<Integer> partitions) {
        for (Integer partition : partitions) {
            Set<String> tenants = tenantsByPartition.remove(partition);
            if (tenants != null) {
                tenants.forEach(chains::remove);
            }
        }
    }

    void clear() {
        chains.clear();
        tenantsByPartition.clear();
    }

    int size() {
        return chains.size();
    }
}
