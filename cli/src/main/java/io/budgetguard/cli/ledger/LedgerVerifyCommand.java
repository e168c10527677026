package io.budgetguard.cli.ledger;

import io.budgetguard.ledger.verify.ChainBreak;
import io.budgetguard.ledger.verify.LedgerVerifier;
import io.budgetguard.ledger.verify.TenantChain;
import io.budgetguard.ledger.verify.VerificationReport;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Verify the ledger: every tenant's sequence is contiguous from 1, every prev_hash links to the entry before,",
            "every entry_hash recomputes. Prints the first broken entry. Exit status 0 only when everything holds.",
            "Connects with --database-url/--user/--password, by default DATABASE_URL and PGUSER/PGPASSWORD",
            "(falling back to DATABASE_USER/DATABASE_PASSWORD) from the environment, as .budgetguard/dev.env sets them."
        })
public final class LedgerVerifyCommand implements Callable<Integer> {

    @Option(names = "--tenant", description = "Verify only this tenant's chain.")
    String tenant;

    @Option(names = "--database-url", description = "JDBC URL (default: $DATABASE_URL).")
    String databaseUrl = System.getenv("DATABASE_URL");

    @Option(names = "--user", description = "Database user (default: $PGUSER, else $DATABASE_USER).")
    String user = firstSet("PGUSER", "DATABASE_USER");

    @Option(names = "--password", description = "Database password (default: $PGPASSWORD, else $DATABASE_PASSWORD).", arity = "0..1", interactive = true)
    String password = firstSet("PGPASSWORD", "DATABASE_PASSWORD");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        if (databaseUrl == null || databaseUrl.isBlank()) {
            spec.commandLine().getErr().println("ledger verify: no database: set DATABASE_URL or pass --database-url");
            return 2;
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
            report = new LedgerVerifier(connection).verify(Optional.ofNullable(tenant));
        }
        for (TenantChain chain : report.tenants()) {
            out.printf("%-32s %8d entries  %s%n", chain.tenantId(), chain.entriesVerified(),
                    chain.ok() ? "ok" : "BROKEN");
        }
        Optional<ChainBreak> first = report.firstBreak();
        if (first.isPresent()) {
            out.println("First broken entry: " + first.get().describe());
            out.flush();
            return 1;
        }
        if (report.tenants().isEmpty()) {
            out.println(tenant == null ? "The ledger is empty." : "No entries for tenant " + tenant + ".");
        }
        out.println("Ledger verified: " + report.entriesVerified() + " entries in " + report.tenants().size() + " chain(s), all hashes hold.");
        out.flush();
        return 0;
    }

    private static String firstSet(String... names) {
        for (String name : names) {
            String value = System.getenv(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
