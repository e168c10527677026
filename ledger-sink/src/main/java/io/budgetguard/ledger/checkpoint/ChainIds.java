package io.budgetguard.ledger.checkpoint;

/**
 * Names of the hash chains that checkpoints cover: a tenant's ledger chain is named by the tenant id, its audit chain
 * by {@code audit:<tenant_id>} ({@code audit:} alone for platform-wide actions). Tenant ids never contain a colon, so
 * the two kinds cannot collide.
 */
public final class ChainIds {

    public static final String AUDIT_PREFIX = "audit:";

    private ChainIds() {}

    public static String audit(String tenantId) {
        return AUDIT_PREFIX + tenantId;
    }

    public static boolean isAudit(String chainId) {
        return chainId.startsWith(AUDIT_PREFIX);
    }

    /** The tenant of an audit chain id ({@code ""} for the platform-wide chain). */
    public static String auditTenant(String chainId) {
        if (!isAudit(chainId)) {
            throw new IllegalArgumentException("not an audit chain id: " + chainId);
        }
        return chainId.substring(AUDIT_PREFIX.length());
    }
}
