package io.budgetguard.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.EntryHasher;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.testing.LedgerDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The binary COPY stores exactly what the entry holds, through both paths (direct as the writer role, staged for a
 * login subject to row-level security): every value at the edges of its encoding comes back equal, as the server's
 * own text rendering of it, and the stored row still hashes to its entry_hash.
 */
@ExtendWith(SharedStack.class)
class LedgerCopyWriterTest {

    /** numeric(20, 9) edges and the base-10000 grouping around the decimal point. */
    private static final List<String> COSTS = List.of("0", "0.000000001", "0.005750000", "1", "12.5", "9999.9999",
            "10000", "10000.0001", "123456789.123456789", "99999999999.999999999", "-0.5", "-12345.000000001");
    private static final List<String> TEXTS = List.of("", "plain", "comma, \"quote\"\nnew line\r\\N \\. tab\t",
            "ü € 😀 日本", "NULL", "\\x00");

    private static LedgerDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = LedgerDatabase.create("copywriter");
    }

    @ParameterizedTest(name = "set role writer: {0}")
    @ValueSource(booleans = {true, false})
    void shouldStoreEveryValueAsTheEntryHoldsIt(boolean actAsWriterRole) throws SQLException {
        String tenant = "copy-" + actAsWriterRole + "-" + SharedStack.uniqueSuffix();
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (int i = 0; i < COSTS.size(); i++) {
            String text = TEXTS.get(i % TEXTS.size());
            Instant occurred = i % 2 == 0 ? Instant.parse("1970-01-01T00:00:00.001Z").plusSeconds(i)
                    : Instant.parse("2026-11-23T18:40:12.345Z").plusSeconds(i);
            EntryContent content = new EntryContent(tenant, "evt-" + i + text, "key-" + text, occurred,
                    Instant.parse("1999-12-31T23:59:59.999999Z").plusSeconds(86_400L * 365 * i), "provider" + text,
                    "model" + text, i, Long.MAX_VALUE - i, 0, 1L << 40, 7, new BigDecimal(COSTS.get(i)), "v" + text,
                    text, text.isEmpty() ? "" : "{\"k\":\"" + text + "\"}", i, Long.MAX_VALUE / (i + 1));
            LedgerEntry entry = head.append(content);
            entries.add(entry);
            head = ChainHead.of(entry);
        }

        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            if (actAsWriterRole) {
                execute(writer, "SET ROLE budgetguard_writer");
            }
            assertThat(single(writer, "SELECT row_security_active('ledger_entries')")).isEqualTo(!actAsWriterRole);
            assertThat(LedgerCopyWriter.append(writer, entries)).isEqualTo(entries.size());
            writer.commit();
        }

        try (Connection superuser = db.superuser();
                PreparedStatement query = superuser.prepareStatement("SELECT " + LedgerColumns.ALL
                        + ", cost_usd::text AS cost_text, received_at AT TIME ZONE 'UTC' AS received_utc"
                        + " FROM ledger_entries WHERE tenant_id = ? ORDER BY seq")) {
            query.setString(1, tenant);
            try (ResultSet rows = query.executeQuery()) {
                for (LedgerEntry expected : entries) {
                    assertThat(rows.next()).isTrue();
                    LedgerEntry stored = LedgerEntryRows.read(rows);
                    assertThat(stored).usingRecursiveComparison().ignoringFields("recordedAt").isEqualTo(expected);
                    assertThat(EntryHasher.matches(stored)).isTrue();
                    // the server's own rendering: the value, not only something the driver maps back to it
                    assertThat(new BigDecimal(rows.getString("cost_text"))).isEqualByComparingTo(expected.costUsd());
                    assertThat(rows.getString("cost_text")).isEqualTo(expected.costUsd().toPlainString());
                    assertThat(rows.getTimestamp("received_utc").toLocalDateTime()).isEqualTo(
                            java.time.LocalDateTime.ofInstant(expected.receivedAt(), java.time.ZoneOffset.UTC));
                }
                assertThat(rows.next()).isFalse();
            }
        }
    }

    @Test
    void shouldRoundSubMicrosecondTimesAsTheTextInputDoes() throws SQLException {
        String tenant = "copy-round-" + SharedStack.uniqueSuffix();
        Instant received = Instant.parse("2026-11-23T18:40:12.123456789Z");
        LedgerEntry entry = ChainHead.EMPTY.append(new EntryContent(tenant, "evt", "key", received, received, "p",
                "m", 1, 0, 0, 1, 0, new BigDecimal("0.1"), "v", "", "", 0, 0));
        try (Connection superuser = db.superuser()) {
            superuser.setAutoCommit(false);
            LedgerCopyWriter.append(superuser, List.of(entry));
            superuser.commit();
            try (PreparedStatement query = superuser.prepareStatement("SELECT received_at = '" + received
                    + "'::timestamptz, occurred_at = '" + entry.occurredAt() + "'::timestamptz"
                    + " FROM ledger_entries WHERE tenant_id = ?")) {
                query.setString(1, tenant);
                try (ResultSet rows = query.executeQuery()) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getBoolean(1)).isTrue();
                    assertThat(rows.getBoolean(2)).isTrue();
                }
            }
        }
    }

    @Test
    void shouldRefuseACostTheColumnCannotHoldAndLeaveNothingBehind() throws SQLException {
        String tenant = "copy-overflow-" + SharedStack.uniqueSuffix();
        LedgerEntry entry = ChainHead.EMPTY.append(new EntryContent(tenant, "evt", "key", Instant.EPOCH,
                Instant.EPOCH, "p", "m", 1, 0, 0, 1, 0, new BigDecimal("100000000000"), "v", "", "", 0, 0));
        try (Connection superuser = db.superuser()) {
            superuser.setAutoCommit(false);
            assertThatThrownBy(() -> LedgerCopyWriter.append(superuser, List.of(entry)))
                    .isInstanceOf(SQLException.class).hasMessageContaining("numeric field overflow");
            superuser.rollback();
            try (Statement sql = superuser.createStatement(); ResultSet rows = sql.executeQuery(
                    "SELECT count(*) FROM ledger_entries WHERE tenant_id = '" + tenant + "'")) {
                rows.next();
                assertThat(rows.getLong(1)).isZero();
            }
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static boolean single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getBoolean(1);
        }
    }
}
