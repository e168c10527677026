package io.budgetguard.common.keys.vault;

import io.budgetguard.common.config.Env;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and how to reach Vault. Build with {@link #of(String, VaultCredentials)} and the {@code with…} methods, or read
 * from the environment with {@link #fromEnv(Env)}. {@link #toString()} masks credentials.
 *
 * @param address Vault's base URL, e.g. {@code https://vault.internal:8200}
 * @param transitMount where the Transit engine is mounted (default {@code transit})
 * @param kvMount where the KV version 2 engine is mounted (default {@code secret})
 * @param namespace Vault Enterprise / HCP namespace, sent as {@code X-Vault-Namespace}
 * @param timeout connect and read timeout of each request (whole seconds, at least one)
 */
public record VaultKeyServiceConfig(
        String address,
        VaultCredentials credentials,
        String transitMount,
        String kvMount,
        Optional<String> namespace,
        Duration timeout) {

    public static final String DEFAULT_TRANSIT_MOUNT = "transit";
    public static final String DEFAULT_KV_MOUNT = "secret";
    public static final String DEFAULT_APPROLE_MOUNT = "approle";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");

    public VaultKeyServiceConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(timeout, "timeout");
        address = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        requireMount("transit mount", transitMount);
        requireMount("KV mount", kvMount);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    public static VaultKeyServiceConfig of(String address, VaultCredentials credentials) {
        return new VaultKeyServiceConfig(address, credentials, DEFAULT_TRANSIT_MOUNT, DEFAULT_KV_MOUNT,
                Optional.empty(), DEFAULT_TIMEOUT);
    }

    public VaultKeyServiceConfig withTransitMount(String mount) {
        return new VaultKeyServiceConfig(address, credentials, mount, kvMount, namespace, timeout);
    }

    public VaultKeyServiceConfig withKvMount(String mount) {
        return new VaultKeyServiceConfig(address, credentials, transitMount, mount, namespace, timeout);
    }

    public VaultKeyServiceConfig withNamespace(String value) {
        return new VaultKeyServiceConfig(address, credentials, transitMount, kvMount,
                Optional.ofNullable(value).filter(s -> !s.isBlank()), timeout);
    }

    public VaultKeyServiceConfig withTimeout(Duration value) {
        return new VaultKeyServiceConfig(address, credentials, transitMount, kvMount, namespace, value);
    }

    /**
     * Reads {@code VAULT_ADDR}, either {@code VAULT_TOKEN} or {@code VAULT_ROLE_ID} + {@code VAULT_SECRET_ID}
     * (+ optional {@code VAULT_APPROLE_MOUNT}), {@code VAULT_NAMESPACE}, {@code VAULT_TRANSIT_MOUNT},
     * {@code VAULT_KV_MOUNT} and {@code VAULT_TIMEOUT_MS}. Problems are recorded in {@code env}; call
     * {@link Env#validate()} before using the result, which is null when a problem was found.
     */
    public static VaultKeyServiceConfig fromEnv(Env env) {
        String address = env.httpUrl("VAULT_ADDR", "Vault base URL, e.g. https://vault.internal:8200");
        String token = env.optional("VAULT_TOKEN", null);
        String roleId = env.optional("VAULT_ROLE_ID", null);
        String secretId = env.optional("VAULT_SECRET_ID", null);
        String appRoleMount = env.optional("VAULT_APPROLE_MOUNT", DEFAULT_APPROLE_MOUNT);
        String transitMount = env.optional("VAULT_TRANSIT_MOUNT", DEFAULT_TRANSIT_MOUNT);
        String kvMount = env.optional("VAULT_KV_MOUNT", DEFAULT_KV_MOUNT);
        String namespace = env.optional("VAULT_NAMESPACE", null);
        Duration timeout = env.millis("VAULT_TIMEOUT_MS", DEFAULT_TIMEOUT);

        boolean problem = address.isEmpty();
        VaultCredentials credentials = null;
        boolean appRole = roleId != null || secretId != null;
        if (token != null && appRole) {
            env.problem("set either VAULT_TOKEN or VAULT_ROLE_ID + VAULT_SECRET_ID, not both");
            problem = true;
        } else if (appRole) {
            if (roleId == null) {
                env.problem("VAULT_ROLE_ID is required with VAULT_SECRET_ID (AppRole login)");
                problem = true;
            }
            if (secretId == null) {
                env.problem("VAULT_SECRET_ID is required with VAULT_ROLE_ID (AppRole login)");
                problem = true;
            }
            if (!problem) {
                credentials = new VaultCredentials.AppRole(roleId, secretId, appRoleMount);
            }
        } else if (token != null) {
            credentials = new VaultCredentials.Token(token);
        } else {
            env.problem("Vault credentials are required: VAULT_ROLE_ID + VAULT_SECRET_ID (AppRole), or VAULT_TOKEN");
            problem = true;
        }
        for (String[] mount : new String[][] {{"VAULT_TRANSIT_MOUNT", transitMount}, {"VAULT_KV_MOUNT", kvMount},
                {"VAULT_APPROLE_MOUNT", appRoleMount}}) {
            if (!MOUNT.matcher(mount[1]).matches()) {
                env.problem(mount[0] + " must be a mount path like 'transit' or 'team/transit', was '" + mount[1] + "'");
                problem = true;
            }
        }
        if (problem) {
            return null;
        }
        return new VaultKeyServiceConfig(address, credentials, transitMount, kvMount,
                Optional.ofNullable(namespace), timeout);
    }

    private static void requireMount(String what, String mount) {
        if (mount == null || !MOUNT.matcher(mount).matches()) {
            throw new IllegalArgumentException(what + " must be a path like 'transit' or 'team/transit', was '"
                    + mount + "'");
        }
    }

    @Override
    public String toString() {
        return "VaultKeyServiceConfig[address=" + address + ", credentials=" + credentials + ", transitMount="
                + transitMount + ", kvMount=" + kvMount + ", namespace=" + namespace.orElse("(none)") + ", timeout="
                + timeout + "]";
    }
}
