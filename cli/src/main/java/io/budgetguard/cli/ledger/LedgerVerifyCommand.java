package io.budgetguard.cli.ledger;

import io.budgetguard.ledger.verify.ChainBreak;
import io.budgetguard.ledger.verify.LedgerVerifier;
import io.budgetguard.ledger.verify.TenantChain;
import io.budgetguard.ledger.verify.VerificationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Verify the ledger and the audit trail: every chain's sequence is contiguous from 1, every prev_hash links",
            "to the entry before, every entry_hash recomputes, every checkpoint is the entry_hash at its seq and its",
            "Ed25519 signature verifies offline with the public keys, and every chain reaches its newest checkpoint.",
            "Prints the first broken entry. Exit status: 0 everything holds, 1 a chain is broken, 2 cannot verify",
            "(no database; public keys asked for but unavailable), 3 everything but the signatures holds and no",
            "public keys were found to check them.",
            "Public keys: --public-keys-url, --public-keys-file, else the key service configured in the environment",
            "(BUDGETGUARD_KEY_SERVICE, VAULT_ADDR, BUDGETGUARD_LOCAL_KEYS_DIR), else $LEDGER_URL/v1/ledger/public-keys.",
            "Connects with --database-url/--user/--password, by default DATABASE_URL and PGUSER/PGPASSWORD",
            "(falling back to DATABASE_USER/DATABASE_PASSWORD) from the environment, as .budgetguard/dev.env sets them."
        })
public final class LedgerVerifyCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int BROKEN = 1;
    static final int CANNOT_VERIFY = 2;
    static final int SIGNATURES_NOT_CHECKED = 3;

    private final Map<String, String> environment;

    @Option(names = "--tenant", description = "Verify only this tenant's ledger and audit chains.")
    String tenant;

    @Option(names = "--database-url", description = "JDBC URL (default: $DATABASE_URL).")
    String databaseUrl;

    @Option(names = "--user", description = "Database user (default: $PGUSER, else $DATABASE_USER).")
    String user;

    @Option(names = "--password", description = "Database password (default: $PGPASSWORD, else $DATABASE_PASSWORD).",
            arity = "0..1", interactive = true)
    String password;

    @Option(names = "--public-keys-url", paramLabel = "URL",
            description = "Where the checkpoint public keys are served, e.g. http://127.0.0.1:8082/v1/ledger/public-keys.")
    String publicKeysUrl;

    @Option(names = "--public-keys-file", paramLabel = "FILE",
            description = "A file holding the public keys as the URL serves them: {\"keys\":{\"1\":\"<base64>\"}}.")
    Path publicKeysFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public LedgerVerifyCommand() {
        this(System.getenv());
    }

    /** With {@code environment} in place of the process environment (tests). */
    LedgerVerifyCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        this.databaseUrl = environment.get("DATABASE_URL");
        this.user = firstSet("PGUSER", "DATABASE_USER");
        this.password = firstSet("PGPASSWORD", "DATABASE_PASSWORD");
    }

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (databaseUrl == null || databaseUrl.isBlank()) {
            err.println("ledger verify: no database: set DATABASE_URL or pass --database-url");
            err.flush();
            return CANNOT_VERIFY;
        }
        Optional<Map<Integer, byte[]>> publicKeys;
        try {
            publicKeys = publicKeys();
        } catch (PublicKeySource.UnavailableException e) {
            err.println("ledger verify: no public keys to check the checkpoint signatures: " + e.getMessage());
            err.flush();
            return CANNOT_VERIFY;
        }
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        VerificationReport report;
        try (Connection connection = DriverManager.getConnection(databaseUrl, props)) {
            connection.setReadOnly(true);
            LedgerVerifier verifier = publicKeys.map(keys -> new LedgerVerifier(connection, keys))
                    .orElseGet(() -> new LedgerVerifier(connection));
            report = verifier.verify(Optional.ofNullable(tenant));
        }
        return print(report, out, err);
    }

    private int print(VerificationReport report, PrintWriter out, PrintWriter err) {
        for (TenantChain chain : report.chains()) {
            out.printf("%-40s %8d entries %6d checkpoints  %s%n", chain.chainId(), chain.entriesVerified(),
                    chain.checkpointsVerified(), chain.ok() ? describeTail(chain) : "BROKEN");
        }
        Optional<ChainBreak> first = report.firstBreak();
        if (first.isPresent()) {
            out.println("First broken entry: " + first.get().describe());
            out.flush();
            return BROKEN;
        }
        if (report.chains().isEmpty()) {
            out.println(tenant == null ? "The ledger is empty." : "No entries for tenant " + tenant + ".");
        }
        out.println("Verified: " + report.entriesVerified() + " ledger entries, " + report.auditEntriesVerified()
                + " audit entries and " + report.checkpointsVerified() + " checkpoints in " + report.chains().size()
                + " chain(s); every hash holds.");
        out.flush();
        if (!report.signaturesChecked() && report.checkpointsVerified() > 0) {
            err.println("ledger verify: the checkpoint signatures were NOT checked (no public keys): pass "
                    + "--public-keys-url or --public-keys-file, or configure the key service");
            err.flush();
            return SIGNATURES_NOT_CHECKED;
        }
        return OK;
    }

    private static String describeTail(TenantChain chain) {
        return chain.unsignedEntries() == 0 ? "ok"
                : "ok (" + chain.unsignedEntries() + " entries after the newest checkpoint: chain only)";
    }

    private Optional<Map<Integer, byte[]>> publicKeys() throws PublicKeySource.UnavailableException {
        if (publicKeysUrl != null) {
            return Optional.of(PublicKeySource.fromUrl(publicKeysUrl));
        }
        if (publicKeysFile != null) {
            return Optional.of(PublicKeySource.fromFile(publicKeysFile));
        }
        Optional<Map<Integer, byte[]>> fromKeyService = PublicKeySource.fromKeyService(environment);
        if (fromKeyService.isPresent()) {
            return fromKeyService;
        }
        String ledgerUrl = environment.get("LEDGER_URL");
        if (ledgerUrl != null && !ledgerUrl.isBlank()) {
            return Optional.of(PublicKeySource.fromUrl(ledgerUrl.replaceAll("/+$", "") + "/v1/ledger/public-keys"));
        }
        return Optional.empty();
    }

    private String firstSet(String... names) {
        for (String name : names) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
