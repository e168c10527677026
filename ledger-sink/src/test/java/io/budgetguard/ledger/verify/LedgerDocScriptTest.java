package io.budgetguard.ledger.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.EntryHasher;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.privacy.DataKeyRef;
import io.budgetguard.ledger.privacy.PersonalDataCipher;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import io.budgetguard.ledger.testing.Fixtures;
import io.budgetguard.ledger.testing.LedgerDatabase;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/LEDGER.md stays true: its worked example is what the code computes, and its {@code psql}-only script verifies a
 * real chain (awkward text, signed checkpoints) and fails, naming the entry, once the chain is tampered with.
 */
@ExtendWith(SharedStack.class)
class LedgerDocScriptTest {

    private static final Path DOC = Path.of("..", "docs", "LEDGER.md");

    private static LedgerDatabase db;
    private static LocalKeyService keys;
    private static Path script;
    private static Path keysJson;

    @TempDir
    static Path dir;

    private String tenant;

    @BeforeAll
    static void extractTheScript() throws IOException {
        db = LedgerDatabase.create("docscript");
        keys = LocalKeyService.open(dir.resolve("keys"), "test");
        keys.createKey(CheckpointSigner.KEY_NAME, LocalKeyService.KeyType.ED25519);
        script = dir.resolve("verify-ledger.sh");
        Files.writeString(script, block("script:verify-ledger.sh"));
        keysJson = dir.resolve("keys.json");
        Files.writeString(keysJson, "{\"keys\":{\"1\":\""
                + Base64.getEncoder().encodeToString(keys.publicKeys(CheckpointSigner.KEY_NAME).get(1)) + "\"}}");
    }

    /** The fenced block that follows {@code <!-- marker -->} in the doc. */
    private static String block(String marker) throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<!-- " + Pattern.quote(marker) + " -->\\n```[a-z]*\\n(.*?)```", Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find()).as("block %s in %s", marker, DOC).isTrue();
        return m.group(1);
    }

    private List<LedgerEntry> entries;

    @BeforeEach
    void appendSignedChain() throws SQLException {
        tenant = SharedStack.unique("acme");
        entries = chain(contents(new BigDecimal("0.000000001")));
        try (Connection writer = db.writer()) {
            writer.setAutoCommit(false);
            LedgerCopyWriter.append(writer, entries);
            CheckpointSigner signer = new CheckpointSigner(keys, Clock.systemUTC());
            CheckpointStore.insert(writer, List.of(signer.sign(tenant, ChainHead.of(entries.get(1))),
                    signer.sign(tenant, ChainHead.of(entries.get(3)))));
            writer.commit();
        }
    }

    /** Four entries whose text needs every escape rule; the fourth's cost is {@code fourthCost}. */
    private List<EntryContent> contents(BigDecimal fourthCost) {
        List<String> models = List.of("quote \" backslash \\ slash /", "controls \b\f\n\r\t \u0001\u001f DEL \u007f",
                "unicode é 模型 😀 \u2028", "");
        DataKeyRef demoKey = new DataKeyRef(1, new SecretKeySpec(new byte[32], "AES"));
        List<EntryContent> contents = new ArrayList<>();
        Instant at = Instant.parse("2025-12-31T23:59:59.999Z");
        for (int i = 1; i <= 4; i++) {
            String endUser = PersonalDataCipher.encrypt(demoKey, tenant, "evt-" + i, PersonalDataCipher.END_USER,
                    "user " + i);
            contents.add(new EntryContent(tenant, "evt-" + i, "k0123456789abcde", at, at, "openai",
                    models.get(i - 1), 4_000_000_000L, i, 0, 300, 0,
                    i == 4 ? fourthCost : new BigDecimal("12345678901.000000001"), i == 4 ? "" : "2025-03-01",
                    endUser, "", 0, i));
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

    private record Run(int exitCode, String output) {}

    private Run runScript(String... extra) throws Exception {
        EmbeddedPostgres postgres = SharedStack.stack().postgres();
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), tenant));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PGHOST", postgres.host());
        env.put("PGPORT", Integer.toString(postgres.port()));
        env.put("PGUSER", postgres.superuser());
        env.put("PGPASSWORD", postgres.superuserPassword());
        env.put("PGDATABASE", db.url().substring(db.url().lastIndexOf('/') + 1));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
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
    void shouldVerifyARealChainAndItsSignaturesWithPsqlAndStandardTools() throws Exception {
        Run run = runScript(keysJson.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("OK: tenant " + tenant + ": 4 entries, 2 checkpoints, 2 signatures verified");
    }

    @Test
    void shouldNameTheEntryWhoseCostWasChanged() throws Exception {
        tamper("UPDATE ledger_entries SET cost_usd = 0 WHERE tenant_id = '" + tenant + "' AND seq = 3");

        Run run = runScript(keysJson.toString());

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("BROKEN: tenant " + tenant + " seq 3: entry_hash is not SHA-256");
    }

    @Test
    void shouldCatchAChainRewrittenWithRecomputedHashesByItsCheckpoint() throws Exception {
        List<LedgerEntry> rewritten = chain(contents(new BigDecimal("99.000000000")));
        try (Connection superuser = db.superuser(); Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL session_replication_role = replica");
            sql.execute("DELETE FROM ledger_entries WHERE tenant_id = '" + tenant + "'");
            LedgerCopyWriter.append(superuser, rewritten);
            superuser.commit();
        }

        Run run = runScript(keysJson.toString());

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        // every ciphertext was made again (fresh nonces), so the first signed head already differs
        assertThat(run.output()).contains("seq 2: entry_hash is not the signed head");
    }

    @Test
    void shouldCatchASeqWrittenTwiceInAnotherMonthsPartition() throws Exception {
        // (tenant_id, seq) is unique within a monthly partition only (D32): a writer bypassing the chain-head fence
        // can store a second, correctly chained seq 3 in another month; the script's contiguity check names it
        LedgerEntry fork = LedgerEntry.append(Fixtures.content(tenant, "fork", Fixtures.recent(0), "gpt-4o", 0, 99), 3,
                entries.get(1).entryHash());
        try (Connection superuser = db.superuser()) {
            superuser.setAutoCommit(false);
            LedgerCopyWriter.append(superuser, List.of(fork));
            superuser.commit();
        }

        Run run = runScript(keysJson.toString());

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("BROKEN: tenant " + tenant + " seq 3: expected seq 4");
    }

    @Test
    void shouldRefuseAForgedCheckpointSignature() throws Exception {
        tamper("UPDATE ledger_checkpoints SET signed_at = signed_at + interval '1 second' WHERE tenant_id = '"
                + tenant + "' AND seq = 2");

        Run run = runScript(keysJson.toString());

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("seq 2: the checkpoint signature does not verify");
    }

    @Test
    void shouldSayWhenItCouldNotCheckTheSignatures() throws Exception {
        Run run = runScript();

        assertThat(run.exitCode()).as(run.output()).isEqualTo(3);
        assertThat(run.output()).contains("NOT checked");
    }

    @Test
    void shouldShowTheHashesTheCodeComputesInTheWorkedExample() throws IOException {
        Instant at1 = Instant.parse("2025-03-01T12:00:00.123Z");
        Instant at2 = Instant.parse("2025-03-01T12:00:01.007Z");
        LedgerEntry first = ChainHead.EMPTY.append(new EntryContent("acme", "evt-0001", "k3x9q2m7p1z8w4va", at1,
                at1.plusMillis(38), "openai", "gpt-4o", 1000, 200, 0, 300, 0, new BigDecimal("0.005750000"),
                "2025-03-01", "", "", 0, 41));
        String ciphertext = PersonalDataCipher.decrypt(new SecretKeySpec(new byte[32], "AES"), "acme", "evt-0002",
                PersonalDataCipher.END_USER, "v1:1:LPayYuRYgyYJwMefCjbE1WM0/cun93r7TsQgmj9G8AClzk10SbZOW3fwC2EE");
        LedgerEntry second = ChainHead.of(first).append(new EntryContent("acme", "evt-0002", "k3x9q2m7p1z8w4va", at2,
                at2.plusMillis(13), "anthropic", "claude-sonnet-4", 2400, 0, 0, 512, 128, new BigDecimal("0.014880000"),
                "2025-03-01", "v1:1:LPayYuRYgyYJwMefCjbE1WM0/cun93r7TsQgmj9G8AClzk10SbZOW3fwC2EE", "", 0, 42));

        assertThat(ciphertext).isEqualTo("alice@example.com");
        assertThat(block("example:canonical-1").strip())
                .isEqualTo(new String(EntryHasher.canonical(first), StandardCharsets.UTF_8));
        assertThat(block("example:hash-1").strip()).isEqualTo(first.entryHash().hex());
        assertThat(block("example:canonical-2").strip())
                .isEqualTo(new String(EntryHasher.canonical(second), StandardCharsets.UTF_8));
        assertThat(block("example:hash-2").strip()).isEqualTo(second.entryHash().hex());
    }
}
