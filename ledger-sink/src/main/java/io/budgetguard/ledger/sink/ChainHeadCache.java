package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.chain.ChainHead;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The chain heads of the tenants seen on this instance's partitions, so that a batch does not re-read them. Only
 * valid while this instance is the only writer of those tenants: dropped for partitions that are revoked, and
 * entirely after any failed batch (a unique violation on (tenant_id, seq) is how another writer shows up).
 * Single-threaded: used by the sink loop only.
 */
final class ChainHeadCache {

    private final Map<String, ChainHead> heads = new HashMap<>();
    private final Map<Integer, Set<String>> tenantsByPartition = new HashMap<>();

    Optional<ChainHead> get(String tenantId) {
        return Optional.ofNullable(heads.get(tenantId));
    }

    void put(int partition, String tenantId, ChainHead head) {
        heads.put(tenantId, head);
        tenantsByPartition.computeIfAbsent(partition, p -> new HashSet<>()).add(tenantId);
    }

    void dropPartitions(Collection<Integer> partitions) {
        for (Integer partition : partitions) {
            Set<String> tenants = tenantsByPartition.remove(partition);
            if (tenants != null) {
                tenants.forEach(heads::remove);
            }
        }
    }

    void clear() {
        heads.clear();
        tenantsByPartition.clear();
    }

    int size() {
        return heads.size();
    }
}
