-- The ledger HTTP API (GET /v1/ledger, GET /v1/ledger/checkpoints) runs inside the sink process, on the sink's own
-- login, but every query it makes runs as budgetguard_reader: the transaction starts with SET LOCAL ROLE
-- budgetguard_reader and set_config('budgetguard.tenant_id', <the API key's tenant>, true), so row-level security,
-- not the application, keeps each tenant to its own rows. Membership lets the writer's logins take that role; the
-- reader has SELECT only, so this grants the writer nothing it did not have.
GRANT budgetguard_reader TO budgetguard_writer;

-- A tenant's reader may also see the checkpoints of its own audit chain (audit:<tenant>), so that it can verify that
-- chain as well as its ledger chain.
CREATE POLICY ledger_checkpoints_reader_own_audit ON ledger_checkpoints FOR SELECT TO budgetguard_reader
    USING (tenant_id = 'audit:' || NULLIF(current_setting('budgetguard.tenant_id', true), ''));
