package io.budgetguard.common.keys.vault;

import io.budgetguard.common.secrets.Secrets;
import java.util.Objects;

/** How the service authenticates to Vault. {@link #toString()} masks every secret. */
public sealed interface VaultCredentials {

    /** A token given from outside (Vault agent, CI, {@code vault server -dev}); renewed when renewable, never re-obtained. */
    record Token(String token) implements VaultCredentials {
        public Token {
            Objects.requireNonNull(token, "token");
            if (token.isBlank()) {
                throw new IllegalArgumentException("the Vault token is empty");
            }
        }

        @Override
        public String toString() {
            return "Token[" + Secrets.mask(token) + "]";
        }
    }

    /** AppRole login at {@code auth/<mount>/login}; the token it yields is renewed, and obtained again when lost. */
    record AppRole(String roleId, String secretId, String mount) implements VaultCredentials {
        public AppRole {
            Objects.requireNonNull(roleId, "roleId");
            Objects.requireNonNull(secretId, "secretId");
            Objects.requireNonNull(mount, "mount");
            if (roleId.isBlank() || secretId.isBlank()) {
                throw new IllegalArgumentException("the AppRole role_id and secret_id must not be empty");
            }
        }

        public AppRole(String roleId, String secretId) {
            this(roleId, secretId, "approle");
        }

        @Override
        public String toString() {
            return "AppRole[mount=" + mount + ", role_id=" + Secrets.mask(roleId) + ", secret_id=****]";
        }
    }
}
