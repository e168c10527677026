package io.budgetguard.cli.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code budgetguard ledger verify} on a real chain signed by a local key service: exit 0 when intact, 1 naming the
 * first broken entry after each kind of tampering, 2 or 3 when it cannot check signatures.
 */
@ExtendWith(SharedStack.class)
class LedgerVerifyCommandTest {

    private static String url;
    private static EmbeddedPostgres postgres;
    private static LocalKeyService keys;

    @TempDir
    static Path keyDir;

    private String tenant;

    @BeforeAll
    static void createLedger() {
        url = SharedStack.createDatabase("verifycmd");
        postgres = SharedStack.stack().postgres();
        Migrations.migrate(url, postgres.superuser(), postgres.superuserPassword());
        keys = LocalKeyService.open(keyDir, "test");
    }

    @BeforeEach
    void appendSignedChain() throws SQLException {
        tenant = SharedStack.unique("acme");
        try (Connection connection = superuser()) {
            connection.setAutoCommit(false);
            List<LedgerEntry> entries = chain(contents(tenant, new BigDecimal("0.005750000")));
            LedgerCopyWriter.append(connection, entries);
            CheckpointSigner signer = new CheckpointSigner(keys, Clock.systemUTC());
            CheckpointStore.insert(connection, List.of(signer.sign(tenant, ChainHead.of(entries.get(1))),
                    signer.sign(tenant, ChainHead.of(entries.get(4)))));
            connection.commit();
        }
    }

    private static List<EntryContent> contents(String tenant, BigDecimal fourthCost) {
        List<EntryContent> contents = new ArrayList<>();
        Instant at = Instant.parse("2025-03-01T12:00:00.123Z");
        for (int i = 1; i <= 5; i++) {
            contents.add(new EntryContent(tenant, "evt-" + i, "k0123456789abcde", at, at.plusMillis(40), "openai",
                    "gpt-4o", 1000, 200, 0, 300, 0, i == 4 ? fourthCost : new BigDecimal("0.005750000"), "2025-03-01",
                    "", "", 0, i));
        }
        return contents;
    }

    private static List<LedgerEntry> chain(List<EntryContent> contents) {
        List<LedgerEntry> entries = new ArrayList<>();
        ChainHead head = ChainHead.EMPTY;
        for (EntryContent content : contents) {
            LedgerEntry entry = head.append(content);
            entries.add(entry);
            head = ChainHead.of(entry);
        }
        return entries;
    }

    private static Connection superuser() throws SQLException {
        return DriverManager.getConnection(url, postgres.superuser(), postgres.superuserPassword());
    }

    private void tamper(String... statements) throws SQLException {
        try (Connection superuser = superuser(); Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL session_replication_role = replica");
            for (String statement : statements) {
                sql.execute(statement.replace("$T", "'" + tenant + "'"));
            }
            superuser.commit();
        }
    }

    private record Run(int exitCode, String output) {}

    private Run verify(Map<String, String> environment, String... extra) {
        StringWriter out = new StringWriter();
        List<String> args = new ArrayList<>(List.of("--tenant", tenant, "--database-url", url, "--user",
                postgres.superuser(), "--password", postgres.superuserPassword()));
        args.addAll(List.of(extra));
        int exit = new CommandLine(new LedgerVerifyCommand(environment)).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(out)).execute(args.toArray(String[]::new));
        return new Run(exit, out.toString());
    }

    private Run verifyWithKeyService() {
        return verify(Map.of("BUDGETGUARD_KEY_SERVICE", "local", "BUDGETGUARD_LOCAL_KEYS_DIR", keyDir.toString()));
    }

    @Test
    void shouldExitZeroWhenEveryHashAndSignatureHolds() {
        Run run = verifyWithKeyService();

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(tenant).contains("5 entries").contains("2 checkpoints")
                .contains("Verified: 5 ledger entries");
    }

    static Stream<Arguments> tamperings() {
        return Stream.of(
                Arguments.of("a changed cost", new String[] {
                    "UPDATE ledger_entries SET cost_usd = 0 WHERE tenant_id = $T AND seq = 3"},
                        "seq 3 (event evt-3): ENTRY_HASH_MISMATCH"),
                Arguments.of("a deleted row", new String[] {"DELETE FROM ledger_entries WHERE tenant_id = $T AND seq = 2"},
                        "seq 3 (event evt-3): SEQ_GAP"),
                Arguments.of("an inserted row", new String[] {
                    "UPDATE ledger_entries SET seq = seq + 1000 WHERE tenant_id = $T AND seq >= 3",
                    "UPDATE ledger_entries SET seq = seq - 999 WHERE tenant_id = $T AND seq >= 1000",
                    "INSERT INTO ledger_entries SELECT tenant_id, 3, 'forged', api_key_id, occurred_at, received_at, "
                            + "recorded_at, provider, model, input_tokens, cached_input_tokens, cache_write_tokens, "
                            + "output_tokens, reasoning_tokens, cost_usd, price_version, end_user_ct, metadata_ct, "
                            + "source_partition, source_offset, prev_hash, entry_hash FROM ledger_entries "
                            + "WHERE tenant_id = $T AND seq = 2"},
                        "seq 3 (event forged): PREV_HASH_MISMATCH"),
                Arguments.of("two rows swapped", new String[] {
                    "UPDATE ledger_entries SET seq = 1000 WHERE tenant_id = $T AND seq = 3",
                    "UPDATE ledger_entries SET seq = 3 WHERE tenant_id = $T AND seq = 4",
                    "UPDATE ledger_entries SET seq = 4 WHERE tenant_id = $T AND seq = 1000"},
                        "seq 3 (event evt-4): PREV_HASH_MISMATCH"),
                // no tampering rights needed: the writer may INSERT, and (tenant_id, seq) is unique per month (D32)
                Arguments.of("a seq written twice, in this month's partition", new String[] {
                    "INSERT INTO ledger_entries SELECT tenant_id, 4, 'fork', api_key_id, date_trunc('milliseconds', "
                            + "now()), received_at, recorded_at, provider, model, input_tokens, cached_input_tokens, "
                            + "cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, price_version, "
                            + "end_user_ct, metadata_ct, source_partition, source_offset, prev_hash, entry_hash "
                            + "FROM ledger_entries WHERE tenant_id = $T AND seq = 4"},
                        "seq 4 (event fork): SEQ_GAP"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperings")
    void shouldExitOneNamingTheFirstBrokenEntry(String what, String[] statements, String named) throws SQLException {
        tamper(statements);

        Run run = verifyWithKeyService();

        assertThat(run.exitCode()).as(run.output()).isEqualTo(LedgerVerifyCommand.BROKEN);
        assertThat(run.output()).contains("First broken entry: tenant " + tenant + " " + named);
    }

    @Test
    void shouldExitOneWhenTheWholeChainWasRewrittenWithRecomputedHashes() throws SQLException {
        List<LedgerEntry> rewritten = chain(contents(tenant, new BigDecimal("0.000000001")));
        try (Connection superuser = superuser(); Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL session_replication_role = replica");
            sql.execute("DELETE FROM ledger_entries WHERE tenant_id = '" + tenant + "'");
            LedgerCopyWriter.append(superuser, rewritten);
            superuser.commit();
        }

        Run run = verifyWithKeyService();

        assertThat(run.exitCode()).as(run.output()).isEqualTo(LedgerVerifyCommand.BROKEN);
        assertThat(run.output()).contains("tenant " + tenant + " seq 5 (event evt-5): CHECKPOINT_MISMATCH")
                .contains("after seq 2 (the previous checkpoint) was rewritten");
    }

    @Test
    void shouldReadThePublicKeysFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, publicKeysJson());

        Run run = verify(Map.of(), "--public-keys-file", file.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void shouldFetchThePublicKeysFromAUrl() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/ledger/public-keys", exchange -> {
            byte[] body = publicKeysJson().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Run run = verify(Map.of(), "--public-keys-url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/ledger/public-keys");

            assertThat(run.exitCode()).as(run.output()).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldRefuseSignaturesMadeByAnotherKey(@TempDir Path dir) throws Exception {
        LocalKeyService other = LocalKeyService.open(dir.resolve("other"), "test");
        other.createKey(CheckpointSigner.KEY_NAME, LocalKeyService.KeyType.ED25519);
        Path file = dir.resolve("keys.json");
        Files.writeString(file, "{\"keys\":{\"1\":\"" + Base64.getEncoder().encodeToString(
                other.publicKeys(CheckpointSigner.KEY_NAME).get(1)) + "\"}}");

        Run run = verify(Map.of(), "--public-keys-file", file.toString());

        assertThat(run.exitCode()).isEqualTo(LedgerVerifyCommand.BROKEN);
        assertThat(run.output()).contains("seq 2 (event evt-2): CHECKPOINT_SIGNATURE_INVALID");
    }

    @Test
    void shouldExitThreeWhenNoPublicKeysCouldCheckTheSignatures() {
        Run run = verify(Map.of());

        assertThat(run.exitCode()).isEqualTo(LedgerVerifyCommand.SIGNATURES_NOT_CHECKED);
        assertThat(run.output()).contains("NOT checked");
    }

    @Test
    void shouldExitTwoWhenThePublicKeysCannotBeFetched() {
        Run run = verify(Map.of(), "--public-keys-url", "http://127.0.0.1:1/v1/ledger/public-keys");

        assertThat(run.exitCode()).isEqualTo(LedgerVerifyCommand.CANNOT_VERIFY);
        assertThat(run.output()).contains("no public keys");
    }

    private static String publicKeysJson() {
        Map<String, String> encoded = new HashMap<>();
        keys.publicKeys(CheckpointSigner.KEY_NAME).forEach((version, key) ->
                encoded.put(version.toString(), Base64.getEncoder().encodeToString(key)));
        StringBuilder json = new StringBuilder("{\"keys\":{");
        encoded.forEach((version, key) -> json.append('"').append(version).append("\":\"").append(key).append("\","));
        json.setLength(json.length() - 1);
        return json.append("}}").toString();
    }
}
