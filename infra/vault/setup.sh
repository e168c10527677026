#!/usr/bin/env bash
# Prepares a Vault for BudgetGuard, idempotently, with the vault CLI:
#   * enables Transit (VAULT_TRANSIT_MOUNT, default transit), KV version 2 (VAULT_KV_MOUNT, default secret) and AppRole;
#   * creates the Ed25519 ledger signing key budgetguard-ledger and the HMAC key budgetguard-hmac (never re-created);
#   * writes the policy budgetguard from budgetguard-policy.hcl (mount names substituted);
#   * creates the AppRole budgetguard bound to that policy and prints VAULT_ROLE_ID and a new VAULT_SECRET_ID.
#
# Needs: the vault CLI, VAULT_ADDR, and a token allowed to manage mounts, policies and auth (VAULT_TOKEN or
# `vault login`). Try it on a dev server:
#   vault server -dev -dev-root-token-id=root &
#   export VAULT_ADDR=http://127.0.0.1:8200 VAULT_TOKEN=root
#   infra/vault/setup.sh
#
# Options (environment): BUDGETGUARD_APPROLE (role name, default budgetguard), BUDGETGUARD_TOKEN_TTL (default 1h),
# BUDGETGUARD_TOKEN_MAX_TTL (default 24h), BUDGETGUARD_SECRET_ID_TTL (default 0 = no expiry),
# BUDGETGUARD_PRINT_SECRET_ID (default 1; 0 prints only the role id).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
transit="${VAULT_TRANSIT_MOUNT:-transit}"
kv="${VAULT_KV_MOUNT:-secret}"
role="${BUDGETGUARD_APPROLE:-budgetguard}"
token_ttl="${BUDGETGUARD_TOKEN_TTL:-1h}"
token_max_ttl="${BUDGETGUARD_TOKEN_MAX_TTL:-24h}"
secret_id_ttl="${BUDGETGUARD_SECRET_ID_TTL:-0}"
print_secret_id="${BUDGETGUARD_PRINT_SECRET_ID:-1}"

say() { printf '%s\n' "$*" >&2; }
die() { say "setup.sh: $*"; exit 1; }

command -v vault >/dev/null 2>&1 || die "the vault CLI is not on PATH (https://developer.hashicorp.com/vault/install)"
[ -n "${VAULT_ADDR:-}" ] || die "VAULT_ADDR is not set"
vault token lookup >/dev/null 2>&1 || die "no usable Vault token: set VAULT_TOKEN or run 'vault login'"

mounted() { # $1 = list command (secrets|auth), $2 = path without slash
  vault "$1" list -format=json | grep -q "\"$2/\""
}

if mounted secrets "$transit"; then
  say "transit engine already at $transit/"
else
  vault secrets enable -path="$transit" transit
fi

if mounted secrets "$kv"; then
  if vault read -format=json "sys/mounts/$kv" | grep -Eq '"version": *"2"'; then
    say "KV v2 already at $kv/"
  else
    die "$kv/ is mounted but is not KV version 2; run 'vault kv enable-versioning $kv/' or choose VAULT_KV_MOUNT"
  fi
else
  vault secrets enable -path="$kv" -version=2 kv
fi

if mounted auth approle; then
  say "approle auth already enabled"
else
  vault auth enable approle
fi

create_key() { # $1 = name, $2 = type
  if vault read "$transit/keys/$1" >/dev/null 2>&1; then
    say "key $1 exists (left unchanged)"
  else
    vault write -f "$transit/keys/$1" type="$2" >/dev/null
    say "created $2 key $1"
  fi
}
create_key budgetguard-ledger ed25519
create_key budgetguard-hmac aes256-gcm96

sed -e "s#\"transit/#\"$transit/#g" -e "s#\"secret/#\"$kv/#g" "$here/budgetguard-policy.hcl" \
  | vault policy write budgetguard - >/dev/null
say "wrote policy budgetguard"

vault write "auth/approle/role/$role" \
  token_policies=budgetguard \
  token_ttl="$token_ttl" \
  token_max_ttl="$token_max_ttl" \
  secret_id_ttl="$secret_id_ttl" \
  token_num_uses=0 >/dev/null
say "wrote AppRole $role (token ttl $token_ttl, max $token_max_ttl)"

echo "VAULT_ADDR=$VAULT_ADDR"
echo "VAULT_ROLE_ID=$(vault read -field=role_id "auth/approle/role/$role/role-id")"
if [ "$print_secret_id" = "1" ]; then
  # a new secret id on every run; older ones stay valid until revoked or expired
  echo "VAULT_SECRET_ID=$(vault write -f -field=secret_id "auth/approle/role/$role/secret-id")"
fi
[ "$transit" = "transit" ] || echo "VAULT_TRANSIT_MOUNT=$transit"
[ "$kv" = "secret" ] || echo "VAULT_KV_MOUNT=$kv"
echo "BUDGETGUARD_KEY_SERVICE=vault"
