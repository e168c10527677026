package io.budgetguard.common.keys;

import io.budgetguard.common.config.Env;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.common.keys.vault.VaultKeyService;
import io.budgetguard.common.keys.vault.VaultKeyServiceConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses and opens the key service from the environment:
 *
 * <ul>
 *   <li>{@code BUDGETGUARD_KEY_SERVICE} — {@code vault} or {@code local}; default {@code vault} when {@code VAULT_ADDR}
 *       is set or {@code BUDGETGUARD_ENV=production}, else {@code local}.
 *   <li>{@code vault}: the variables of {@link VaultKeyServiceConfig#fromEnv(Env)} ({@code VAULT_ADDR},
 *       {@code VAULT_ROLE_ID} + {@code VAULT_SECRET_ID} or {@code VAULT_TOKEN}, {@code VAULT_NAMESPACE},
 *       {@code VAULT_TRANSIT_MOUNT}, {@code VAULT_KV_MOUNT}, {@code VAULT_APPROLE_MOUNT}, {@code VAULT_TIMEOUT_MS}).
 *   <li>{@code local}: {@code BUDGETGUARD_LOCAL_KEYS_DIR} (default {@code .budgetguard/keys}); refused when
 *       {@code BUDGETGUARD_ENV=production}.
 * </ul>
 *
 * Every configuration problem is reported at once as a {@link io.budgetguard.common.config.ConfigException}.
 */
public final class KeyServices {

    public static final String KIND_VARIABLE = "BUDGETGUARD_KEY_SERVICE";
    public static final String ENV_VARIABLE = "BUDGETGUARD_ENV";
    public static final String LOCAL_DIR_VARIABLE = "BUDGETGUARD_LOCAL_KEYS_DIR";
    public static final String DEFAULT_LOCAL_DIR = ".budgetguard/keys";

    /** Which implementation to use. */
    public enum Kind { VAULT, LOCAL }

    /** What {@link #fromEnv(Map)} would open: the kind and its settings, validated. */
    public record Selection(Kind kind, VaultKeyServiceConfig vault, Path localDirectory, String budgetguardEnv) {}

    private KeyServices() {}

    /**
     * Validates the environment and opens the chosen key service (for Vault: logs in).
     *
     * @throws io.budgetguard.common.config.ConfigException listing every problem
     */
    public static KeyService fromEnv(Map<String, String> environment) {
        return open(select(environment));
    }

    /** Validates the environment without opening anything. */
    public static Selection select(Map<String, String> environment) {
        Env env = new Env("key service", environment);
        Selection selection = read(env);
        env.validate();
        return selection;
    }

    /**
     * Reads the key service settings into a service's own {@link Env}, so that its start-up reports key service
     * problems together with its other settings. Call {@link Env#validate()} before {@link #open(Selection)}.
     */
    public static Selection read(Env env) {
        String budgetguardEnv = env.optional(ENV_VARIABLE, "");
        boolean production = LocalKeyService.isProduction(budgetguardEnv);
        // production never falls back to local keys: without a choice it is Vault, and VAULT_ADDR is then required
        String defaultKind = env.optional("VAULT_ADDR", null) != null || production ? "vault" : "local";
        String kindName = env.optional(KIND_VARIABLE, defaultKind).toLowerCase(Locale.ROOT);
        switch (kindName) {
            case "vault" -> {
                return new Selection(Kind.VAULT, VaultKeyServiceConfig.fromEnv(env), null, budgetguardEnv);
            }
            case "local" -> {
                if (production) {
                    env.problem(KIND_VARIABLE + "=local is refused when " + ENV_VARIABLE + "=" + budgetguardEnv
                            + ": production keys live in Vault (set " + KIND_VARIABLE + "=vault and VAULT_ADDR)");
                }
                String dir = env.optional(LOCAL_DIR_VARIABLE, DEFAULT_LOCAL_DIR);
                Path directory = null;
                try {
                    directory = Path.of(dir);
                } catch (java.nio.file.InvalidPathException e) {
                    env.problem(LOCAL_DIR_VARIABLE + " is not a valid path: '" + dir + "'");
                }
                return new Selection(Kind.LOCAL, null, directory, budgetguardEnv);
            }
            default -> {
                env.problem(KIND_VARIABLE + " must be 'vault' or 'local', was '" + kindName + "'");
                return null;
            }
        }
    }

    /** Opens what a validated {@link Selection} names (for Vault: logs in). */
    public static KeyService open(Selection selection) {
        return switch (selection.kind()) {
            case VAULT -> VaultKeyService.connect(selection.vault());
            case LOCAL -> LocalKeyService.open(selection.localDirectory(), selection.budgetguardEnv());
        };
    }
}
