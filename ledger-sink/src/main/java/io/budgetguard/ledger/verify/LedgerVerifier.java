package io.budgetguard.ledger.verify;

import io.budgetguard.ledger.chain.ChainHash;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryHasher;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.store.LedgerColumns;
import io.budgetguard.ledger.store.LedgerEntryRows;
import io.budgetguard.ledger.store.MalformedLedgerRowException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks the ledger's hash chains from the rows alone (PRODUCT.md §5): per tenant, seq runs 1, 2, 3, … without gaps,
 * every prev_hash is the previous entry_hash (32 zero bytes for seq 1), and every entry_hash is recomputed from the
 * entry's content. Any change made behind the application's back — a changed cost, a deleted or swapped row — shows
 * as a break, unless the whole chain after it was rewritten (which only signed checkpoints can reveal; checking them
 * is a later issue).
 *
 * <p>Works on a superuser or owner connection (every tenant) and on a {@code budgetguard_reader} connection (one tenant:
 * the verifier sets {@code budgetguard.tenant_id} for its own transaction). Reads one consistent snapshot
 * (REPEATABLE READ, read-only) through a cursor, so memory does not grow with the ledger.
 *
 * <pre>{@code
 * VerificationReport report = new LedgerVerifier(connection).verify(Optional.of("acme"));
 * if (!report.ok()) System.out.println(report.firstBreak().orElseThrow().describe());
 * }</pre>
 */
public final class LedgerVerifier {

    private static final int FETCH_SIZE = 2000;
    private static final String ALL = "SELECT " + LedgerColumns.ALL + " FROM ledger_entries ORDER BY tenant_id, seq";
    private static final String ONE =
            "SELECT " + LedgerColumns.ALL + " FROM ledger_entries WHERE tenant_id = ? ORDER BY tenant_id, seq";

    private final Connection connection;

    public LedgerVerifier(Connection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /** Verifies every tenant, or only {@code tenant}. Leaves the connection's settings as it found them. */
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
            try (PreparedStatement setting = connection.prepareStatement("SELECT set_config('budgetguard.tenant_id', ?, true)")) {
                setting.setString(1, tenant.get());
                setting.execute();
            }
        }
        List<TenantChain> tenants = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(tenant.isPresent() ? ONE : ALL)) {
            query.setFetchSize(FETCH_SIZE);
            tenant.ifPresent(t -> setString(query, t));
            try (ResultSet rows = query.executeQuery()) {
                ChainWalk walk = null;
                while (rows.next()) {
                    String tenantId = rows.getString("tenant_id");
                    if (walk == null || !walk.tenantId.equals(tenantId)) {
                        if (walk != null) {
                            tenants.add(walk.result());
                        }
                        walk = new ChainWalk(tenantId);
                    }
                    if (walk.broken == null) {
                        walk.check(rows);
                    }
                }
                if (walk != null) {
                    tenants.add(walk.result());
                }
            }
        }
        return new VerificationReport(tenants);
    }

    private static void setString(PreparedStatement statement, String value) {
        try {
            statement.setString(1, value);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One tenant's chain, walked in seq order up to its first break. */
    private static final class ChainWalk {

        private final String tenantId;
        private ChainHead head = ChainHead.EMPTY;
        private long verified;
        private ChainBreak broken;

        ChainWalk(String tenantId) {
            this.tenantId = tenantId;
        }

        void check(ResultSet row) throws SQLException {
            LedgerEntry entry;
            try {
                entry = LedgerEntryRows.read(row);
            } catch (MalformedLedgerRowException e) {
                broken = new ChainBreak(tenantId, e.seq(), e.eventId(), ChainBreak.Kind.MALFORMED_ROW, e.getMessage());
                return;
            }
            long expectedSeq = head.seq() + 1;
            if (entry.seq() != expectedSeq) {
                broken = breakAt(entry, ChainBreak.Kind.SEQ_GAP, "expected seq " + expectedSeq + " after seq "
                        + head.seq() + ", found seq " + entry.seq() + ": " + describeGap(expectedSeq, entry.seq()));
            } else if (!entry.prevHash().equals(head.hash())) {
                broken = breakAt(entry, ChainBreak.Kind.PREV_HASH_MISMATCH, "prev_hash " + entry.prevHash().hex()
                        + " is not " + (head.seq() == 0 ? "the 32 zero bytes of seq 1"
                                : "entry_hash " + head.hash().hex() + " of seq " + head.seq()));
            } else {
                ChainHash expected = EntryHasher.expectedHash(entry);
                if (!expected.equals(entry.entryHash())) {
                    broken = breakAt(entry, ChainBreak.Kind.ENTRY_HASH_MISMATCH, "stored entry_hash "
                            + entry.entryHash().hex() + " but the content hashes to " + expected.hex()
                            + ": the entry was changed after it was written");
                } else {
                    head = ChainHead.of(entry);
                    verified++;
                }
            }
        }

        private ChainBreak breakAt(LedgerEntry entry, ChainBreak.Kind kind, String detail) {
            return new ChainBreak(tenantId, entry.seq(), entry.eventId(), kind, detail);
        }

        private static String describeGap(long expected, long found) {
            if (found < expected) {
                return "seq out of order";
            }
            return found == expected + 1 ? "seq " + expected + " is missing"
                    : "seqs " + expected + ".." + (found - 1) + " are missing";
        }

        TenantChain result() {
            return new TenantChain(tenantId, verified, head, Optional.ofNullable(broken));
        }
    }
}
