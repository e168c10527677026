package io.budgetguard.cli.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.cli.BudgetGuardCommand;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.testing.SharedStack;
import io.budgetguard.ledger.chain.ChainHead;
import io.budgetguard.ledger.chain.EntryContent;
import io.budgetguard.ledger.chain.LedgerEntry;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.CheckpointStore;
import io.budgetguard.ledger.privacy.DataKeyErasedException;
import io.budgetguard.ledger.privacy.DataKeyRef;
import io.budgetguard.ledger.privacy.PersonalDataCipher;
import io.budgetguard.ledger.privacy.TenantDataKeys;
import io.budgetguard.ledger.store.LedgerCopyWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code budgetguard tenant erase}: the tenant's personal data becomes unreadable, its chain still verifies. */
@ExtendWith(SharedStack.class)
class TenantEraseCommandTest {

    private static String url;
    private static EmbeddedPostgres postgres;
    private static LocalKeyService keys;

    @TempDir
    static Path keyDir;

    private String tenant;
    private String endUserCt;

    @BeforeAll
    static void createLedger() {
        url = SharedStack.createDatabase("erase");
        postgres = SharedStack.stack().postgres();
        Migrations.migrate(url, postgres.superuser(), postgres.superuserPassword());
        keys = LocalKeyService.open(keyDir, "test");
    }

    @BeforeEach
    void appendEncryptedEntry() throws SQLException {
        tenant = SharedStack.unique("acme");
        try (Connection connection = superuser()) {
            connection.setAutoCommit(false);
            DataKeyRef key = new TenantDataKeys(keys, Clock.systemUTC()).forEncryption(connection, Set.of(tenant))
                    .get(tenant);
            endUserCt = PersonalDataCipher.encrypt(key, tenant, "evt-1", PersonalDataCipher.END_USER, "alice");
            Instant at = Instant.parse("2025-03-01T12:00:00Z");
            LedgerEntry entry = ChainHead.EMPTY.append(new EntryContent(tenant, "evt-1", "k0123456789abcde", at, at,
                    "openai", "gpt-4o", 1, 0, 0, 1, 0, new BigDecimal("0.000001000"), "2025-03-01", endUserCt, "", 0, 0));
            LedgerCopyWriter.append(connection, List.of(entry));
            CheckpointStore.insert(connection,
                    List.of(new CheckpointSigner(keys, Clock.systemUTC()).sign(tenant, ChainHead.of(entry))));
            connection.commit();
        }
    }

    private static Connection superuser() throws SQLException {
        return DriverManager.getConnection(url, postgres.superuser(), postgres.superuserPassword());
    }

    private Map<String, String> environment() {
        return Map.of("BUDGETGUARD_KEY_SERVICE", "local", "BUDGETGUARD_LOCAL_KEYS_DIR", keyDir.toString());
    }

    private record Run(int exitCode, String output) {}

    private Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(command).setOut(new PrintWriter(out)).setErr(new PrintWriter(out)).execute(args);
        return new Run(exit, out.toString());
    }

    private String decrypt() throws SQLException {
        try (Connection connection = superuser()) {
            return PersonalDataCipher.decrypt(new TenantDataKeys(keys, Clock.systemUTC())
                    .forDecryption(connection, tenant, 1).key(), tenant, "evt-1", PersonalDataCipher.END_USER, endUserCt);
        }
    }

    @Test
    void shouldMakeThePersonalDataUnreadableAndLeaveTheChainVerifiable() throws SQLException {
        assertThat(decrypt()).isEqualTo("alice");

        Run erase = run(new TenantEraseCommand(environment()), tenant, "--yes");

        assertThat(erase.exitCode()).as(erase.output()).isZero();
        assertThat(erase.output()).contains("Destroyed " + KeyNames.tenantDataKey(tenant));
        assertThatThrownBy(this::decrypt).isInstanceOf(DataKeyErasedException.class);
        StringWriter out = new StringWriter();
        int exit = BudgetGuardCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
                .execute("ledger", "verify", "--tenant", tenant, "--database-url", url, "--user", postgres.superuser(),
                        "--password", postgres.superuserPassword(), "--public-keys-file", publicKeysFile().toString());
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("1 ledger entries").contains("1 checkpoints");
    }

    @Test
    void shouldRefuseWithoutConfirmation() throws SQLException {
        Run erase = run(new TenantEraseCommand(environment()), tenant);

        assertThat(erase.exitCode()).isEqualTo(2);
        assertThat(erase.output()).contains("--yes");
        assertThat(decrypt()).isEqualTo("alice");
    }

    @Test
    void shouldRefuseAnInvalidTenantId() {
        Run erase = run(new TenantEraseCommand(environment()), "../etc", "--yes");

        assertThat(erase.exitCode()).isEqualTo(2);
        assertThat(erase.output()).contains("tenant id must match");
    }

    @TempDir
    Path scratch;

    private Path publicKeysFile() {
        Path file = scratch.resolve("keys.json");
        try {
            java.nio.file.Files.writeString(file, "{\"keys\":{\"1\":\"" + java.util.Base64.getEncoder()
                    .encodeToString(keys.publicKeys(CheckpointSigner.KEY_NAME).get(1)) + "\"}}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }
}
