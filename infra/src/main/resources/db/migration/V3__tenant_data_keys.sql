-- Envelope encryption of personal data (PRODUCT.md §4): end_user and metadata are encrypted with a per-tenant AES-256
-- data key, and only the data key wrapped by the tenant's key-service key (Vault Transit budgetguard-tenant-<id>) is
-- stored here. Destroying that key (`budgetguard tenant erase`) makes every wrapped data key of the tenant, and so its
-- ciphertexts in ledger_entries, unreadable for ever, while the hash chain (which hashes the ciphertext) still
-- verifies. Format of the ciphertexts and of wrapped_key: docs/LEDGER.md.
--
-- Rows are append-only like the ledger: a data key is never replaced, a new version is added (after an erasure the
-- tenant's next events get a new data key, wrapped by a new tenant key).

CREATE TABLE tenant_data_keys (
    tenant_id   text        NOT NULL,
    key_version integer     NOT NULL CHECK (key_version >= 1),
    wrapped_key text        NOT NULL CHECK (wrapped_key LIKE 'vault:v%'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_data_keys_pkey PRIMARY KEY (tenant_id, key_version)
);

COMMENT ON TABLE tenant_data_keys IS
    'Per-tenant AES-256 data keys, stored only wrapped by the key service (vault:v<n>:<base64>); append-only.';
COMMENT ON COLUMN tenant_data_keys.key_version IS
    'The data key version named in each ciphertext, v1:<key_version>:<base64 nonce||ciphertext||tag>.';

CREATE TRIGGER tenant_data_keys_refuse_update_delete
    BEFORE UPDATE OR DELETE ON tenant_data_keys
    FOR EACH ROW EXECUTE FUNCTION budgetguard_refuse_change();
CREATE TRIGGER tenant_data_keys_refuse_truncate
    BEFORE TRUNCATE ON tenant_data_keys
    FOR EACH STATEMENT EXECUTE FUNCTION budgetguard_refuse_change();

REVOKE ALL ON tenant_data_keys FROM PUBLIC;
GRANT SELECT, INSERT ON tenant_data_keys TO budgetguard_writer;
GRANT SELECT ON tenant_data_keys TO budgetguard_reader;

ALTER TABLE tenant_data_keys ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_data_keys_reader_own_tenant ON tenant_data_keys FOR SELECT TO budgetguard_reader
    USING (tenant_id = NULLIF(current_setting('budgetguard.tenant_id', true), ''));
CREATE POLICY tenant_data_keys_writer_read ON tenant_data_keys FOR SELECT TO budgetguard_writer USING (true);
CREATE POLICY tenant_data_keys_writer_append ON tenant_data_keys FOR INSERT TO budgetguard_writer WITH CHECK (true);
