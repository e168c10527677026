package io.budgetguard.common.keys;

/** Logging in to Vault failed: the AppRole role_id/secret_id or the token were rejected. */
public final class KeyServiceAuthenticationException extends KeyServiceException {

    public KeyServiceAuthenticationException(String message) {
        super(message);
    }
}
