package io.budgetguard.ledger.verify;

import io.budgetguard.common.keys.Ed25519Verifier;
import io.budgetguard.ledger.audit.AuditEntry;
import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryHasher;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.ChainIds;
import io.budgetguard.ledger.checkpoint.Checkpoint;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.store.AuditEntryRows;
import io.budgetguard.ledger.store.LedgerColumns;
import io.budgetguard.ledger.store.LedgerEntryRows;
import io.budgetguard.ledger.store.MalformedLedgerRowException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the ledger's and the audit trail's hash chains (PRODUCT.md §5): per chain, seq runs 1, 2, 3, … without gaps,
 * every prev_hash is the previous entry_hash (32 zero bytes for seq 1), every entry_hash is recomputed from the entry's
 * content, every checkpoint's head_hash is the entry_hash at its seq, every checkpoint signature verifies offline with
 * the public keys ({@link Ed25519Verifier}, no key service needed), and the chain reaches its newest checkpoint. A
 * change made behind the application's back — a changed cost, a deleted, inserted or swapped row — shows as a break
 * at the first entry it affects; the whole chain rewritten with recomputed hashes shows at the first checkpoint it
 * contradicts, and removed tail entries at the newest checkpoint.
 *
 * <p>Without public keys ({@link #LedgerVerifier(Connection)}) signatures are not checked (the report says so); the
 * rest is.
 *
 * <p>Works on a superuser or owner connection (every tenant) and on a {@code budgetguard_reader} connection (one
 * tenant: the verifier sets {@code budgetguard.tenant_id} for its own transaction). Reads one consistent snapshot
 * (REPEATABLE READ, read-only) through cursors, so memory does not grow with the ledger.
 *
 * <pre>{@code
 * VerificationReport report = new LedgerVerifier(connection, publicKeys).verify(Optional.of("acme"));
 * if (!report.ok()) System.out.println(report.firstBreak().orElseThrow().describe());
 * }</pre>
 */
public final class LedgerVerifier {

    private static final int FETCH_SIZE = 2000;
    private static final String CHECKPOINTS = "SELECT " + CheckpointStore.COLUMNS
            + " FROM ledger_checkpoints WHERE tenant_id = ? ORDER BY seq";

    /** One row of a chain, whatever the table. */
    private record ChainRow(String tenantId, long seq, String label, ChainHash prevHash, ChainHash entryHash,
            ChainHash expectedHash) {}

    private interface RowReader {
        ChainRow read(ResultSet row) throws SQLException;
    }

    /** The two kinds of chains: their table, how a row is read, and how its checkpoints are named. */
    private enum Kind {
        // a seq can appear twice in ledger_entries (in two monthly partitions, D32): occurred_at orders such rows the
        // same way on every run, and is the last column of the partitions' (tenant_id, seq, occurred_at) key
        LEDGER("SELECT " + LedgerColumns.ALL + " FROM ledger_entries", ", occurred_at", row -> {
            LedgerEntry e = LedgerEntryRows.read(row);
            return new ChainRow(e.tenantId(), e.seq(), e.eventId(), e.prevHash(), e.entryHash(),
                    EntryHasher.expectedHash(e));
        }),
        AUDIT("SELECT " + AuditEntryRows.COLUMNS + " FROM audit_log", "", row -> {
            AuditEntry e = AuditEntryRows.read(row);
            return new ChainRow(e.tenantId(), e.seq(), e.label(), e.prevHash(), e.entryHash(), e.expectedHash());
        });

        final String select;
        final String orderAfterSeq;
        final RowReader reader;

        Kind(String select, String orderAfterSeq, RowReader reader) {
            this.select = select;
            this.orderAfterSeq = orderAfterSeq;
            this.reader = reader;
        }

        String chainId(String tenantId) {
            return this == LEDGER ? tenantId : ChainIds.audit(tenantId);
        }
    }

    private final Connection connection;
    private final Optional<Map<Integer, byte[]>> publicKeys;

    /** A verifier that checks everything but checkpoint signatures. */
    public LedgerVerifier(Connection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.publicKeys = Optional.empty();
    }

    /** A verifier that also checks every checkpoint signature against {@code publicKeys} (version → raw key). */
    public LedgerVerifier(Connection connection, Map<Integer, byte[]> publicKeys) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.publicKeys = Optional.of(Map.copyOf(publicKeys));
    }

    /**
     * Verifies every chain, or only {@code tenant}'s ledger and audit chains. Leaves the connection's settings as it
     * found them.
     */
    public VerificationReport verify(Optional<String> tenant) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        int isolation = connection.getTransactionIsolation();
        boolean readOnly = connection.isReadOnly();
        if (!autoCommit) {
            connection.commit();
        }
        try {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            VerificationReport report = read(tenant);
            connection.commit();
            return report;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setReadOnly(readOnly);
            connection.setTransactionIsolation(isolation);
            connection.setAutoCommit(autoCommit);
        }
    }

    private VerificationReport read(Optional<String> tenant) throws SQLException {
        if (tenant.isPresent()) {
            try (PreparedStatement setting =
                    connection.prepareStatement("SELECT set_config('budgetguard.tenant_id', ?, true)")) {
                setting.setString(1, tenant.get());
                setting.execute();
            }
        }
        List<TenantChain> chains = new ArrayList<>();
        chains.addAll(walk(Kind.LEDGER, tenant));
        chains.addAll(walk(Kind.AUDIT, tenant));
        Set<String> walked = new HashSet<>();
        chains.forEach(c -> walked.add(c.chainId()));
        // Checkpoints of chains that have no entries left at all
        for (Checkpoint newest : CheckpointStore.newestPerChain(connection)) {
            boolean selected = tenant.isEmpty() || newest.chainId().equals(tenant.get())
                    || newest.chainId().equals(ChainIds.audit(tenant.get()));
            if (selected && !walked.contains(newest.chainId())) {
                chains.add(new TenantChain(newest.chainId(), 0, ChainHead.EMPTY, 0, 0, Optional.of(new ChainBreak(
                        newest.chainId(), 1, null, ChainBreak.Kind.CHAIN_TRUNCATED, "a checkpoint signed at "
                                + newest.signedAt() + " covers seq 1.." + newest.seq()
                                + " but the chain has no entries: they were removed"))));
            }
        }
        return new VerificationReport(chains, publicKeys.isPresent());
    }

    private List<TenantChain> walk(Kind kind, Optional<String> tenant) throws SQLException {
        List<TenantChain> chains = new ArrayList<>();
        String sql = kind.select + (tenant.isPresent() ? " WHERE tenant_id = ?" : "") + " ORDER BY tenant_id, seq" + kind.orderAfterSeq;
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setFetchSize(FETCH_SIZE);
            if (tenant.isPresent()) {
                query.setString(1, tenant.get());
            }
            try (ResultSet rows = query.executeQuery()) {
                ChainWalk walk = null;
                try {
                    while (rows.next()) {
                        String tenantId = rows.getString("tenant_id");
                        if (walk == null || !walk.tenantId.equals(tenantId)) {
                            if (walk != null) {
                                chains.add(walk.finish());
                            }
                            walk = new ChainWalk(kind, tenantId);
                        }
                        if (walk.broken == null) {
                            walk.check(rows);
                        }
                    }
                    if (walk != null) {
                        chains.add(walk.finish());
                    }
                } finally {
                    if (walk != null) {
                        walk.close();
                    }
                }
            }
        }
        return chains;
    }

    /** One chain, walked in seq order up to its first break, its checkpoints read alongside. */
    private final class ChainWalk implements AutoCloseable {

        private final Kind kind;
        private final String tenantId;
        private final String chainId;
        private final PreparedStatement checkpointQuery;
        private final ResultSet checkpointRows;
        private Checkpoint pending;
        private ChainHead head = ChainHead.EMPTY;
        private long verified;
        private long checkpointsVerified;
        private long signedSeq;
        private ChainBreak broken;

        ChainWalk(Kind kind, String tenantId) throws SQLException {
            this.kind = kind;
            this.tenantId = tenantId;
            this.chainId = kind.chainId(tenantId);
            checkpointQuery = connection.prepareStatement(CHECKPOINTS);
            checkpointQuery.setFetchSize(FETCH_SIZE);
            checkpointQuery.setString(1, chainId);
            checkpointRows = checkpointQuery.executeQuery();
            nextCheckpoint();
        }

        private void nextCheckpoint() throws SQLException {
            pending = null;
            if (checkpointRows.next()) {
                try {
                    pending = CheckpointStore.read(checkpointRows);
                } catch (IllegalArgumentException | NullPointerException e) {
                    broken = new ChainBreak(chainId, checkpointRows.getLong("seq"), null,
                            ChainBreak.Kind.CHECKPOINT_SIGNATURE_INVALID, "the checkpoint row is malformed ("
                                    + e.getMessage() + ")");
                }
            }
        }

        void check(ResultSet rows) throws SQLException {
            ChainRow entry;
            try {
                entry = kind.reader.read(rows);
            } catch (MalformedLedgerRowException e) {
                broken = new ChainBreak(chainId, e.seq(), e.eventId(), ChainBreak.Kind.MALFORMED_ROW, e.getMessage());
                return;
            }
            long expectedSeq = head.seq() + 1;
            if (entry.seq() != expectedSeq) {
                broken = breakAt(entry, ChainBreak.Kind.SEQ_GAP, "expected seq " + expectedSeq + " after seq "
                        + head.seq() + ", found seq " + entry.seq() + ": " + describeGap(expectedSeq, entry.seq()));
            } else if (!entry.prevHash().equals(head.hash())) {
                broken = breakAt(entry, ChainBreak.Kind.PREV_HASH_MISMATCH, "prev_hash " + entry.prevHash().hex()
                        + " is not " + (head.seq() == 0 ? "the 32 zero bytes of seq 1"
                                : "entry_hash " + head.hash().hex() + " of seq " + head.seq())
                        + ": an entry was inserted, removed or moved here");
            } else if (!entry.expectedHash().equals(entry.entryHash())) {
                broken = breakAt(entry, ChainBreak.Kind.ENTRY_HASH_MISMATCH, "stored entry_hash "
                        + entry.entryHash().hex() + " but the content hashes to " + entry.expectedHash().hex()
                        + ": the entry was changed after it was written");
            } else {
                head = new ChainHead(entry.seq(), entry.entryHash());
                verified++;
                checkCheckpointAt(entry);
            }
        }

        private void checkCheckpointAt(ChainRow entry) throws SQLException {
            while (broken == null && pending != null && pending.seq() <= entry.seq()) {
                Checkpoint checkpoint = pending;
                if (!signatureHolds(checkpoint)) {
                    broken = breakAt(entry, ChainBreak.Kind.CHECKPOINT_SIGNATURE_INVALID, "the checkpoint of seq "
                            + checkpoint.seq() + " signed at " + checkpoint.signedAt() + " ("
                            + checkpoint.signature().replaceAll(":[^:]*$", ":…") + ", key_version "
                            + checkpoint.keyVersion() + ") does not verify with the public keys: it was forged or "
                            + "changed");
                } else if (checkpoint.seq() == entry.seq() && !checkpoint.headHash().equals(entry.entryHash())) {
                    broken = breakAt(entry, ChainBreak.Kind.CHECKPOINT_MISMATCH, "entry_hash "
                            + entry.entryHash().hex() + " is not the head " + checkpoint.headHash().hex()
                            + " signed at " + checkpoint.signedAt() + ": the chain "
                            + (signedSeq == 0 ? "up to here" : "after seq " + signedSeq + " (the previous checkpoint)")
                            + " was rewritten with recomputed hashes");
                } else {
                    checkpointsVerified++;
                    signedSeq = checkpoint.seq();
                    nextCheckpoint();
                }
            }
        }

        private boolean signatureHolds(Checkpoint checkpoint) {
            if (!checkpoint.keyVersionMatchesSignature()) {
                return false;
            }
            return publicKeys.map(keys -> Ed25519Verifier.verify(keys, checkpoint.message(), checkpoint.signature()))
                    .orElse(true);
        }

        private ChainBreak breakAt(ChainRow entry, ChainBreak.Kind kind, String detail) {
            return new ChainBreak(chainId, entry.seq(), entry.label(), kind, detail);
        }

        private static String describeGap(long expected, long found) {
            if (found == expected - 1) {
                // possible since the monthly partitions (D32): (tenant_id, seq) is unique within a month only
                return "seq " + found + " appears twice: a second writer forked the chain, or a row was copied";
            }
            if (found < expected) {
                return "seq out of order";
            }
            return found == expected + 1 ? "seq " + expected + " is missing"
                    : "seqs " + expected + ".." + (found - 1) + " are missing";
        }

        TenantChain finish() throws SQLException {
            if (broken == null && pending != null) {
                // a checkpoint beyond the last entry: the newest one tells how far the chain once reached
                Checkpoint newest = pending;
                while (checkpointRows.next()) {
                    newest = CheckpointStore.read(checkpointRows);
                }
                broken = new ChainBreak(chainId, head.seq() + 1, null, ChainBreak.Kind.CHAIN_TRUNCATED,
                        "a checkpoint signed at " + newest.signedAt() + " covers seq " + newest.seq()
                                + " but the chain ends at seq " + head.seq() + ": seqs " + (head.seq() + 1) + ".."
                                + newest.seq() + " were removed");
            }
            return new TenantChain(chainId, verified, head, checkpointsVerified, signedSeq, Optional.ofNullable(broken));
        }

        @Override
        public void close() throws SQLException {
            checkpointRows.close();
            checkpointQuery.close();
        }
    }
}
