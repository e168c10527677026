# Policy of the BudgetGuard services' AppRole: least privilege for what io.budgetguard.common.keys.vault.VaultKeyService
# does. Written for the default mounts (Transit at transit/, KV v2 at secret/); setup.sh rewrites the mount names when
# VAULT_TRANSIT_MOUNT or VAULT_KV_MOUNT say otherwise. Not granted on purpose: rotating, configuring, exporting, backing
# up or deleting the ledger signing key or the HMAC key; writing any secret; any other key or path.

# --- Ledger checkpoint signing key (Ed25519, created by setup.sh) -----------------------------------------------------
path "transit/sign/budgetguard-ledger" {
  capabilities = ["update"]
}
path "transit/verify/budgetguard-ledger" {
  capabilities = ["update"]
}
# reading the key returns its public keys (never the private ones): served at GET /v1/ledger/public-keys
path "transit/keys/budgetguard-ledger" {
  capabilities = ["read"]
}

# --- Keyed hashes -------------------------------------------------------------------------------------------------------
path "transit/hmac/budgetguard-hmac" {
  capabilities = ["update"]
}

# --- Per-tenant wrapping keys for personal data (envelope encryption) ---------------------------------------------------
# Created on a tenant's first data key, deleted to erase the tenant's personal data (GDPR): deletion needs
# deletion_allowed set through .../config first. Vault globs match any suffix, so this rule also covers
# transit/keys/budgetguard-tenant-<id>/config and /rotate of tenant keys; export and backup stay denied (other paths).
path "transit/keys/budgetguard-tenant-*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "transit/datakey/plaintext/budgetguard-tenant-*" {
  capabilities = ["update"]
}
path "transit/decrypt/budgetguard-tenant-*" {
  capabilities = ["update"]
}

# --- Secrets (KV version 2): read only, below budgetguard/ --------------------------------------------------------------
path "secret/data/budgetguard/*" {
  capabilities = ["read"]
}

# --- The service's own token (also in Vault's default policy; repeated so this policy stands alone) --------------------
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
