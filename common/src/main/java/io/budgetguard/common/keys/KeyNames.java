package io.budgetguard.common.keys;

import java.util.regex.Pattern;

/** The names of BudgetGuard's keys, as created by {@code infra/vault/setup.sh} and allowed by its policy. */
public final class KeyNames {

    /** Ed25519 key that signs ledger and audit checkpoints. */
    public static final String LEDGER_SIGNING_KEY = "budgetguard-ledger";

    /** Key for keyed hashes (HMAC-SHA256). */
    public static final String HMAC_KEY = "budgetguard-hmac";

    /** Prefix of the per-tenant AES keys that wrap each tenant's data keys; deleting one erases the tenant's data. */
    public static final String TENANT_DATA_KEY_PREFIX = "budgetguard-tenant-";

    private static final Pattern TENANT_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private KeyNames() {}

    /**
     * {@code budgetguard-tenant-<tenantId>}. Vault key names must end with a letter, digit or underscore, so an id
     * ending with {@code -} gets {@code .0} appended; tenant ids never contain a dot, so names stay distinct.
     */
    public static String tenantDataKey(String tenantId) {
        if (tenantId == null || !TENANT_ID.matcher(tenantId).matches()) {
            throw new IllegalArgumentException("tenant id must match [A-Za-z0-9_-]{1,128}, was '" + tenantId + "'");
        }
        return TENANT_DATA_KEY_PREFIX + tenantId + (tenantId.endsWith("-") ? ".0" : "");
    }

    /** Whether the key is a per-tenant data key, which the key services create on first use. */
    public static boolean isTenantDataKey(String keyName) {
        return keyName != null && keyName.startsWith(TENANT_DATA_KEY_PREFIX)
                && keyName.length() > TENANT_DATA_KEY_PREFIX.length();
    }

    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_])?");

    /** Checks a key name against Vault's rule for names ({@code \w([\w.-]*\w)?}) so a bad name fails early and locally. */
    public static String requireValid(String keyName) {
        if (keyName == null || !KEY_NAME.matcher(keyName).matches()) {
            throw new IllegalArgumentException("key name must match [A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?, was '"
                    + keyName + "'");
        }
        return keyName;
    }
}
