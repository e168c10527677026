-- BudgetGuard ledger schema (PRODUCT.md §5). Run by Flyway as the schema owner; the services never run migrations.
--
-- Append-only is enforced twice: the application roles have no UPDATE/DELETE/TRUNCATE grants on the ledger tables,
-- and triggers refuse those statements for every role except a superuser who deliberately bypasses triggers
-- (session_replication_role = replica, or ALTER TABLE ... DISABLE TRIGGER). Whatever such a superuser changes is
-- caught by `budgetguard ledger verify`, because every row is hash-chained.
--
-- Not here yet (later issues): monthly partitioning of ledger_entries (a partitioned table needs the partition key in
-- every unique constraint, so (tenant_id, seq) and (tenant_id, event_id) will need a design of their own), the
-- checkpoint and audit writers (only their tables exist), and envelope encryption of end_user/metadata.

-- ---------------------------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------------------------

CREATE TABLE ledger_entries (
    tenant_id           text           NOT NULL,
    seq                 bigint         NOT NULL CHECK (seq >= 1),
    event_id            text           NOT NULL,
    api_key_id          text           NOT NULL,
    occurred_at         timestamptz    NOT NULL,
    received_at         timestamptz    NOT NULL,
    recorded_at         timestamptz    NOT NULL DEFAULT now(),
    provider            text           NOT NULL,
    model               text           NOT NULL,
    input_tokens        bigint         NOT NULL CHECK (input_tokens >= 0),
    cached_input_tokens bigint         NOT NULL CHECK (cached_input_tokens >= 0),
    cache_write_tokens  bigint         NOT NULL CHECK (cache_write_tokens >= 0),
    output_tokens       bigint         NOT NULL CHECK (output_tokens >= 0),
    reasoning_tokens    bigint         NOT NULL CHECK (reasoning_tokens >= 0),
    cost_usd            numeric(20, 9) NOT NULL,
    price_version       text           NOT NULL,
    end_user_ct         text           NOT NULL,
    metadata_ct         text           NOT NULL,
    source_partition    integer        NOT NULL,
    source_offset       bigint         NOT NULL,
    prev_hash           bytea          NOT NULL CHECK (octet_length(prev_hash) = 32),
    entry_hash          bytea          NOT NULL CHECK (octet_length(entry_hash) = 32),
    CONSTRAINT ledger_entries_pkey PRIMARY KEY (tenant_id, seq),
    CONSTRAINT ledger_entries_event_unique UNIQUE (tenant_id, event_id)
);

COMMENT ON TABLE ledger_entries IS
    'One row per priced usage event; append-only; per-tenant SHA-256 hash chain (see docs/LEDGER.md).';
COMMENT ON COLUMN ledger_entries.entry_hash IS
    'SHA-256(prev_hash || canonical JSON array "v1", tenant_id, seq, event_id, api_key_id, occurred_at, provider, model, '
    'the five token counts, cost_usd, price_version, end_user_ct, metadata_ct)';
COMMENT ON COLUMN ledger_entries.end_user_ct IS 'Ciphertext of the end user id; empty string when absent.';
COMMENT ON COLUMN ledger_entries.metadata_ct IS 'Ciphertext of the caller metadata; empty string when absent.';

CREATE TABLE ledger_checkpoints (
    tenant_id   text        NOT NULL,
    seq         bigint      NOT NULL CHECK (seq >= 1),
    head_hash   bytea       NOT NULL CHECK (octet_length(head_hash) = 32),
    signed_at   timestamptz NOT NULL,
    signature   text        NOT NULL,
    key_version integer     NOT NULL CHECK (key_version >= 1),
    CONSTRAINT ledger_checkpoints_pkey PRIMARY KEY (tenant_id, seq)
);

COMMENT ON TABLE ledger_checkpoints IS
    'Signed chain heads (archive copy of topic ledger.checkpoints.v1); tenant_id is audit:<tenant> for the audit chain.';

CREATE TABLE audit_log (
    tenant_id  text        NOT NULL,
    seq        bigint      NOT NULL CHECK (seq >= 1),
    at         timestamptz NOT NULL,
    actor      text        NOT NULL,
    action     text        NOT NULL,
    subject    text        NOT NULL,
    details    text        NOT NULL,
    prev_hash  bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    entry_hash bytea       NOT NULL CHECK (octet_length(entry_hash) = 32),
    CONSTRAINT audit_log_pkey PRIMARY KEY (tenant_id, seq)
);

COMMENT ON TABLE audit_log IS
    'Alerts and control-plane changes, append-only, hash-chained per tenant_id (empty for platform-wide actions).';

-- Kafka offsets of the ledger sink, committed in the same transaction as the rows they produced (exactly once).
CREATE TABLE sink_offsets (
    consumer_group text    NOT NULL,
    topic          text    NOT NULL,
    partition      integer NOT NULL CHECK (partition >= 0),
    next_offset    bigint  NOT NULL CHECK (next_offset >= 0),
    CONSTRAINT sink_offsets_pkey PRIMARY KEY (consumer_group, topic, partition)
);

-- ---------------------------------------------------------------------------------------------------------------
-- Append-only triggers (they also stop the owner; a superuser can bypass them, and verification catches that)
-- ---------------------------------------------------------------------------------------------------------------

CREATE FUNCTION budgetguard_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Ledger rows are never changed or removed; corrections are new entries.';
END;
$$;

CREATE TRIGGER ledger_entries_refuse_update_delete
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION budgetguard_refuse_change();
CREATE TRIGGER ledger_entries_refuse_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION budgetguard_refuse_change();

CREATE TRIGGER ledger_checkpoints_refuse_update_delete
    BEFORE UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION budgetguard_refuse_change();
CREATE TRIGGER ledger_checkpoints_refuse_truncate
    BEFORE TRUNCATE ON ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION budgetguard_refuse_change();

CREATE TRIGGER audit_log_refuse_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION budgetguard_refuse_change();
CREATE TRIGGER audit_log_refuse_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION budgetguard_refuse_change();

-- ---------------------------------------------------------------------------------------------------------------
-- Roles (cluster-wide, so created only when missing; NOLOGIN: login users are granted them, see Migrations.grantLogin)
-- ---------------------------------------------------------------------------------------------------------------

DO
$$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budgetguard_writer') THEN
        CREATE ROLE budgetguard_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budgetguard_reader') THEN
        CREATE ROLE budgetguard_reader NOLOGIN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO budgetguard_writer, budgetguard_reader', current_schema());
    -- Without BYPASSRLS (see below and V2) the sink stages batches in a temporary table. PUBLIC has TEMPORARY by default; grant it
    -- explicitly where we may, so that a database that revoked it from PUBLIC still works.
    IF has_database_privilege(current_database(), 'TEMPORARY WITH GRANT OPTION') THEN
        EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO budgetguard_writer', current_database());
    ELSE
        RAISE NOTICE 'Cannot grant TEMPORARY on database % to budgetguard_writer: grant it as the database owner',
            current_database();
    END IF;
END;
$$;

REVOKE ALL ON ledger_entries, ledger_checkpoints, audit_log, sink_offsets FROM PUBLIC;

-- The sink appends and reads chain heads; it never changes or removes a ledger row.
GRANT SELECT, INSERT ON ledger_entries, ledger_checkpoints, audit_log TO budgetguard_writer;
GRANT SELECT, INSERT, UPDATE ON sink_offsets TO budgetguard_writer;

-- Tenant-facing reads (GET /v1/ledger ...) see only the tenant named in the transaction's setting.
GRANT SELECT ON ledger_entries, ledger_checkpoints, audit_log TO budgetguard_reader;

-- ---------------------------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------------------------
-- The reader sees the rows of the tenant set by `SET LOCAL budgetguard.tenant_id = '<tenant>'` (or set_config(...,
-- true)), and nothing when it is unset. NULLIF matters: once a SET LOCAL has ended, the setting reads as '' for the
-- rest of the session, which would otherwise expose the platform-wide audit rows (tenant_id '').
--
-- The writer serves every tenant (one consumer appends for all tenants of its partitions), so it gets its own
-- all-tenant policy. A policy works everywhere: BYPASSRLS can only be given by a role that has it (a superuser; often
-- not available on managed PostgreSQL) and is not inherited through role membership. V2 adds BYPASSRLS where it can,
-- because PostgreSQL refuses COPY FROM into a table with RLS for a role subject to it; without it the sink stages
-- each batch in a temporary table and moves it with one INSERT ... SELECT (slower, same result).
-- The owner is exempt from RLS (not FORCEd) so that administration and verification by the owner see every tenant.

ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY ledger_entries_reader_own_tenant ON ledger_entries FOR SELECT TO budgetguard_reader
    USING (tenant_id = NULLIF(current_setting('budgetguard.tenant_id', true), ''));
CREATE POLICY ledger_checkpoints_reader_own_tenant ON ledger_checkpoints FOR SELECT TO budgetguard_reader
    USING (tenant_id = NULLIF(current_setting('budgetguard.tenant_id', true), ''));
CREATE POLICY audit_log_reader_own_tenant ON audit_log FOR SELECT TO budgetguard_reader
    USING (tenant_id = NULLIF(current_setting('budgetguard.tenant_id', true), ''));

CREATE POLICY ledger_entries_writer_read ON ledger_entries FOR SELECT TO budgetguard_writer USING (true);
CREATE POLICY ledger_entries_writer_append ON ledger_entries FOR INSERT TO budgetguard_writer WITH CHECK (true);
CREATE POLICY ledger_checkpoints_writer_read ON ledger_checkpoints FOR SELECT TO budgetguard_writer USING (true);
CREATE POLICY ledger_checkpoints_writer_append ON ledger_checkpoints FOR INSERT TO budgetguard_writer WITH CHECK (true);
CREATE POLICY audit_log_writer_read ON audit_log FOR SELECT TO budgetguard_writer USING (true);
CREATE POLICY audit_log_writer_append ON audit_log FOR INSERT TO budgetguard_writer WITH CHECK (true);
