package io.budgetguard.cli.tenant;

import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.common.keys.KeyServices;
import io.budgetguard.ledger.privacy.TenantDataKeys;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "erase", mixinStandardHelpOptions = true,
        description = {
            "Erase a tenant's personal data (GDPR): destroys the tenant's key in the key service",
            "(budgetguard-tenant-<TENANT>), which wraps every data key that encrypted its end_user and metadata.",
            "The ciphertexts stay in the ledger, so every hash chain still verifies, but nobody can decrypt them",
            "again. Irreversible: needs --yes. Running ledger sinks stop using their cached data key within a minute.",
            "The key service comes from the environment: BUDGETGUARD_KEY_SERVICE, VAULT_ADDR (+ AppRole or",
            "VAULT_TOKEN), BUDGETGUARD_LOCAL_KEYS_DIR, as the sink is configured."
        })
public final class TenantEraseCommand implements Callable<Integer> {

    private final Map<String, String> environment;

    @Parameters(index = "0", paramLabel = "TENANT", description = "The tenant id.")
    String tenant;

    @Option(names = "--yes", description = "Confirm: the erasure cannot be undone.")
    boolean confirmed;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public TenantEraseCommand() {
        this(System.getenv());
    }

    /** With {@code environment} in place of the process environment (tests). */
    TenantEraseCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String keyName;
        try {
            keyName = KeyNames.tenantDataKey(tenant);
        } catch (IllegalArgumentException e) {
            err.println("tenant erase: " + e.getMessage());
            err.flush();
            return 2;
        }
        if (!confirmed) {
            err.println("tenant erase: this destroys " + keyName + " for ever: tenant " + tenant
                    + "'s end_user and metadata can never be decrypted again. Run again with --yes to do it.");
            err.flush();
            return 2;
        }
        try (KeyService keys = KeyServices.fromEnv(environment)) {
            keys.deleteKey(keyName);
        } catch (ConfigException | KeyServiceException e) {
            err.println("tenant erase: " + e.getMessage());
            err.flush();
            return 1;
        }
        out.println("Destroyed " + keyName + ": the personal data of tenant " + tenant
                + " can no longer be decrypted. Its ledger and audit chains are unchanged and still verify.");
        out.println("Running ledger sinks drop their cached data key within " + TenantDataKeys.CACHE_TTL.toSeconds()
                + " s; the tenant's later events are encrypted under a new key.");
        out.flush();
        return 0;
    }
}
