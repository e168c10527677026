package io.budgetguard.ingest.auth;

/** The slow check of a secret against its stored bcrypt hash; {@code SecretHasher::verify} in production. */
@FunctionalInterface
public interface SecretCheck {
    boolean matches(String secret, String bcryptHash);
}
