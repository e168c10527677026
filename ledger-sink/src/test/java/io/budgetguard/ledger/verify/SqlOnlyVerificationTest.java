package io.budgetguard.ledger.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.LedgerDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chain can be verified without our code: {@code verify-chain.sql} rebuilds the canonical array and the hashes in
 * plain SQL and must agree with {@link io.budgetguard.ledger.chain.EntryHasher} on every escape rule.
 */
@ExtendWith(SharedStack.class)
class SqlOnlyVerificationTest {

    private LedgerDatabase db;

    @BeforeEach
    void createLedger() throws SQLException {
        db = LedgerDatabase.create("sqlverify");
        List<String> awkward = List.of("plain", "quote \" backslash \\ slash /", "controls \b\f\n\r\t",
                "other controls \u0001\u001f and DEL \u007f", "unicode é 模型 😀 \u2028", "");
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            List<LedgerEntry> entries = new ArrayList<>();
            ChainHead head = ChainHead.EMPTY;
            int n = 0;
            for (String text : awkward) {
                n++;
                EntryContent content = new EntryContent("tenant " + text, "evt-" + n, "k" + n,
                        Instant.parse("2025-12-31T23:59:59.999Z"), Instant.parse("2026-01-01T00:00:00Z"), "openai",
                        text, n, 0, 3, 4_000_000_000L, 0, new BigDecimal("12345678901.000000001"),
                        text.isEmpty() ? "" : "v-" + n, text, "", 0, n);
                LedgerEntry entry = head.append(content);
                entries.add(entry);
                head = ChainHead.of(entry);
                // a second entry in the same tenant, chained to the first
                LedgerEntry next = head.append(new EntryContent(content.tenantId(), "evt-" + n + "b", "k", content.occurredAt(),
                        content.receivedAt(), "p", "m", 0, 0, 0, 0, 0, BigDecimal.ZERO, "", "", "", 0, 0));
                entries.add(next);
                head = ChainHead.EMPTY;
            }
            LedgerCopyWriter.append(writer, entries);
            writer.commit();
        }
    }

    private List<String> problems() throws SQLException, IOException {
        String sql;
        try (InputStream in = getClass().getResourceAsStream("/verify-chain.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> problems = new ArrayList<>();
        try (Connection superuser = db.superuser(); Statement statement = superuser.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                problems.add(rows.getLong("seq") + " " + rows.getString("event_id") + ": " + rows.getString("problem"));
            }
        }
        return problems;
    }

    private void tamper(String statement) throws SQLException {
        try (Connection superuser = db.superuser(); Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL session_replication_role = replica");
            sql.execute(statement);
            superuser.commit();
        }
    }

    @Test
    void shouldAgreeWithTheJavaHasherOnEveryEscapeRule() throws Exception {
        assertThat(problems()).isEmpty();
    }

    @Test
    void shouldFindAChangedCostInSqlAlone() throws Exception {
        tamper("UPDATE ledger_entries SET cost_usd = cost_usd + 0.000000001 WHERE event_id = 'evt-3'");

        assertThat(problems()).containsExactly("1 evt-3: entry_hash does not match content");
    }

    @Test
    void shouldFindADeletedRowInSqlAlone() throws Exception {
        tamper("DELETE FROM ledger_entries WHERE event_id = 'evt-2'");

        assertThat(problems()).containsExactly("2 evt-2b: seq gap");
    }
}
