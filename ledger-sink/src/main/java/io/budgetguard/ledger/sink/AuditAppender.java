package io.budgetguard.ledger.sink;

import io.budgetguard.ledger.audit.AuditEntry;
import io.budgetguard.ledger.audit.AuditRecord;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.checkpoint.ChainIds;
import io.budgetguard.ledger.checkpoint.ChainProgress;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.Checkpointer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Appends audit records to {@code audit_log} in the caller's (the batch's) transaction, one hash chain per tenant.
 *
 * <p>Unlike the ledger, an audit chain can have several writers: its records come from topics keyed by key id, budget
 * or price as well as by tenant, so two sink instances may both hold records of one tenant. Each transaction therefore
 * takes a transaction-scoped advisory lock per chain (in tenant order, so two writers cannot deadlock) and reads the
 * head fresh under it; audit volumes are small, so nothing is cached but when each chain's oldest unsigned entry was
 * appended.
 */
final class AuditAppender {

    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))";
    private static final String INSERT = "INSERT INTO audit_log (tenant_id, seq, at, actor, action, subject, details, "
            + "prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final Checkpointer checkpointer;
    /** Audit chain (tenant) → when its oldest unsigned entry was appended; committed state only. */
    private final Map<String, Instant> unsignedSince = new HashMap<>();

    AuditAppender(Checkpointer checkpointer) {
        this.checkpointer = Objects.requireNonNull(checkpointer);
    }

    /** What one batch appended: the entries, the checkpoints it made due, and each chain's progress after it. */
    record Appended(int entries, List<Checkpoint> checkpoints, Map<String, ChainProgress> progress) {

        static final Appended NONE = new Appended(0, List.of(), Map.of());
    }

    Appended append(Connection connection, List<AuditRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return Appended.NONE;
        }
        Map<String, List<AuditRecord>> byTenant = new TreeMap<>();
        for (AuditRecord record : records) {
            byTenant.computeIfAbsent(record.tenantId(), t -> new ArrayList<>()).add(record);
        }
        lock(connection, byTenant.keySet());
        Map<String, ChainHeads.Found> found = ChainHeads.AUDIT.read(connection, byTenant.keySet());
        List<Checkpoint> checkpoints = new ArrayList<>();
        Map<String, ChainProgress> progress = new HashMap<>();
        int count = 0;
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (Map.Entry<String, List<AuditRecord>> chain : byTenant.entrySet()) {
                String tenant = chain.getKey();
                ChainHeads.Found stored = found.get(tenant);
                ChainHead head = stored.head();
                List<ChainHead> appended = new ArrayList<>();
                for (AuditRecord record : chain.getValue()) {
                    AuditEntry entry = AuditEntry.append(record, head);
                    addRow(insert, entry);
                    head = new ChainHead(entry.seq(), entry.entryHash());
                    appended.add(head);
                    count++;
                }
                ChainProgress before = new ChainProgress(stored.head().seq(), stored.signedSeq(),
                        unsignedSince.getOrDefault(tenant, checkpointer.now()));
                Checkpointer.Signed signed = checkpointer.afterAppend(ChainIds.audit(tenant), before, appended);
                checkpoints.addAll(signed.checkpoints());
                progress.put(tenant, signed.after());
            }
            insert.executeBatch();
        }
        return new Appended(count, checkpoints, progress);
    }

    /** Records the progress of a committed batch. */
    void committed(Appended appended) {
        appended.progress().forEach(this::progressed);
    }

    /** Records that {@code tenant}'s audit chain is at {@code progress} (a batch or a seal committed). */
    void progressed(String tenant, ChainProgress progress) {
        if (progress.unsigned()) {
            unsignedSince.put(tenant, progress.uncoveredSince());
        } else {
            unsignedSince.remove(tenant);
        }
    }

    /** Tenants whose audit chain has an unsigned tail old enough to be signed now. */
    List<String> due() {
        List<String> due = new ArrayList<>();
        unsignedSince.forEach((tenant, since) -> {
            if (checkpointer.isDue(new ChainProgress(1, 0, since))) {
                due.add(tenant);
            }
        });
        return due;
    }

    /** Locks the audit chains of {@code tenants}, in order, until the transaction ends. */
    static void lock(Connection connection, Collection<String> tenants) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(LOCK)) {
            for (String tenant : new java.util.TreeSet<>(tenants)) {
                lock.setString(1, ChainIds.audit(tenant));
                lock.execute();
            }
        }
    }

    private static void addRow(PreparedStatement insert, AuditEntry entry) throws SQLException {
        insert.setString(1, entry.tenantId());
        insert.setLong(2, entry.seq());
        insert.setObject(3, OffsetDateTime.ofInstant(entry.at(), ZoneOffset.UTC));
        insert.setString(4, entry.actor());
        insert.setString(5, entry.action());
        insert.setString(6, entry.subject());
        insert.setString(7, entry.details());
        insert.setBytes(8, entry.prevHash().bytes());
        insert.setBytes(9, entry.entryHash().bytes());
        insert.addBatch();
    }
}
