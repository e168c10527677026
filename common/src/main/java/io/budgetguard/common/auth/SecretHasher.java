package io.budgetguard.common.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt hashing of API key secrets. Cost 12 (about 250 ms of CPU) in production; a verification costs the same, so
 * callers must verify once and cache ({@link CachedSecretVerifier}, used by {@link TenantAuthenticator} in every service).
 */
public final class SecretHasher {

    public static final int PRODUCTION_COST = 12;

    private final int cost;

    /** The production hasher, cost 12. */
    public SecretHasher() {
        this(PRODUCTION_COST);
    }

    /** A hasher with another cost (4..31); lower costs are for tests only. */
    public SecretHasher(int cost) {
        if (cost < BCrypt.MIN_COST || cost > BCrypt.MAX_COST) {
            throw new IllegalArgumentException("bcrypt cost must be between " + BCrypt.MIN_COST + " and "
                    + BCrypt.MAX_COST + ", was " + cost);
        }
        this.cost = cost;
    }

    public int cost() {
        return cost;
    }

    /** A new salted bcrypt hash ({@code $2a$<cost>$…}) of the secret. */
    public String hash(String secret) {
        return new String(BCrypt.withDefaults().hash(cost, secret.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.US_ASCII);
    }

    /** True when {@code secret} matches {@code bcryptHash}; false also when the hash is not a bcrypt hash. */
    public boolean verify(String secret, String bcryptHash) {
        if (secret == null || bcryptHash == null) {
            return false;
        }
        try {
            return BCrypt.verifyer().verify(secret.getBytes(StandardCharsets.UTF_8),
                    bcryptHash.getBytes(StandardCharsets.US_ASCII)).verified;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
