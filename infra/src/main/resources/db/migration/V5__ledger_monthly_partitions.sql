-- Monthly partitions of ledger_entries (issue 5; docs/DECISIONS.md D32, which supersedes D15).
--
-- ledger_entries becomes PARTITION BY RANGE (occurred_at), one partition per UTC calendar month
-- (ledger_entries_y2026m12), plus ledger_entries_default, a safety net that should stay empty (docs/DEPLOYMENT.md).
-- PostgreSQL needs the partition key in every unique constraint of a partitioned table, so the two uniqueness rules of
-- PRODUCT.md §5 are kept this way:
--
-- * Idempotency, unique (tenant_id, event_id): now unique (tenant_id, event_id, occurred_at). An event re-emitted at
--   any later time carries the occurred_at it was accepted with, so it lands in the same partition and that partition's
--   index refuses it, as the global index did. Two rows with the same event id and different occurred_at are two
--   different events to the database; metering-streams' dedup refuses the second one by (tenant, event_id), and the
--   sink's second pass looks duplicates up by (tenant_id, event_id) alone.
-- * Chain integrity, unique (tenant_id, seq): a seq is now unique per partition only ((tenant_id, seq, occurred_at),
--   which also serves reads by (tenant_id, seq)). What the global key protected, a second writer forking a chain, is
--   now fenced once per tenant per batch by ledger_chain_heads below; a repeated seq that reached the table anyway
--   (a writer bypassing the fence) is caught by `budgetguard ledger verify` like any other tampering.
--
-- The table is converted by copying: rename the V1 table, create the partitioned one with the same columns, grants,
-- row-level security policies, triggers and comments as V1-V4 left them, create the partitions the rows need and the
-- months around now, copy, check the count, drop the V1 table. Stop the sinks while it runs (they retry otherwise).

-- ---------------------------------------------------------------------------------------------------------------
-- The refusal names the partitioned table, not the partition a row trigger fired on
-- ---------------------------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION budgetguard_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    root text := (SELECT c.relname FROM pg_class c WHERE c.oid = pg_partition_root(TG_RELID));
BEGIN
    IF root IS NULL OR root = TG_TABLE_NAME THEN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Ledger rows are never changed or removed; corrections are new entries.';
    END IF;
    RAISE EXCEPTION '% is append-only: % refused (partition %)', root, TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Ledger rows are never changed or removed; corrections are new entries.';
END;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- The partitioned table
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE ledger_entries RENAME TO ledger_entries_v1;
ALTER TABLE ledger_entries_v1 RENAME CONSTRAINT ledger_entries_pkey TO ledger_entries_v1_pkey;
ALTER TABLE ledger_entries_v1 RENAME CONSTRAINT ledger_entries_event_unique TO ledger_entries_v1_event_unique;

-- The CHECK constraints are named as V1's were (PostgreSQL would otherwise add a 1 while the V1 table exists).
CREATE TABLE ledger_entries (
    tenant_id           text           NOT NULL,
    seq                 bigint         NOT NULL
        CONSTRAINT ledger_entries_seq_check CHECK (seq >= 1),
    event_id            text           NOT NULL,
    api_key_id          text           NOT NULL,
    occurred_at         timestamptz    NOT NULL,
    received_at         timestamptz    NOT NULL,
    recorded_at         timestamptz    NOT NULL DEFAULT now(),
    provider            text           NOT NULL,
    model               text           NOT NULL,
    input_tokens        bigint         NOT NULL
        CONSTRAINT ledger_entries_input_tokens_check CHECK (input_tokens >= 0),
    cached_input_tokens bigint         NOT NULL
        CONSTRAINT ledger_entries_cached_input_tokens_check CHECK (cached_input_tokens >= 0),
    cache_write_tokens  bigint         NOT NULL
        CONSTRAINT ledger_entries_cache_write_tokens_check CHECK (cache_write_tokens >= 0),
    output_tokens       bigint         NOT NULL
        CONSTRAINT ledger_entries_output_tokens_check CHECK (output_tokens >= 0),
    reasoning_tokens    bigint         NOT NULL
        CONSTRAINT ledger_entries_reasoning_tokens_check CHECK (reasoning_tokens >= 0),
    cost_usd            numeric(20, 9) NOT NULL,
    price_version       text           NOT NULL,
    end_user_ct         text           NOT NULL,
    metadata_ct         text           NOT NULL,
    source_partition    integer        NOT NULL,
    source_offset       bigint         NOT NULL,
    prev_hash           bytea          NOT NULL
        CONSTRAINT ledger_entries_prev_hash_check CHECK (octet_length(prev_hash) = 32),
    entry_hash          bytea          NOT NULL
        CONSTRAINT ledger_entries_entry_hash_check CHECK (octet_length(entry_hash) = 32),
    -- per partition: reads by (tenant_id, seq) use it; seq's uniqueness per tenant is fenced by ledger_chain_heads
    CONSTRAINT ledger_entries_pkey PRIMARY KEY (tenant_id, seq, occurred_at),
    -- the idempotency key: a re-delivered event has the same occurred_at, so the same partition refuses it
    CONSTRAINT ledger_entries_event_unique UNIQUE (tenant_id, event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);

COMMENT ON TABLE ledger_entries IS
    'One row per priced usage event; append-only; per-tenant SHA-256 hash chain (see docs/LEDGER.md). Partitioned by '
    'UTC calendar month of occurred_at (ledger_entries_yYYYYmMM, ledger_entries_default); partitions are never '
    'dropped.';
COMMENT ON COLUMN ledger_entries.entry_hash IS
    'SHA-256(prev_hash || canonical JSON array "v1", tenant_id, seq, event_id, api_key_id, occurred_at, provider, model, '
    'the five token counts, cost_usd, price_version, end_user_ct, metadata_ct)';
COMMENT ON COLUMN ledger_entries.end_user_ct IS 'Ciphertext of the end user id; empty string when absent.';
COMMENT ON COLUMN ledger_entries.metadata_ct IS 'Ciphertext of the caller metadata; empty string when absent.';

-- Row triggers on a partitioned table are cloned onto every partition, present and future; a statement trigger is
-- not (TRUNCATE of one partition does not fire the parent's), so each partition gets its own TRUNCATE trigger below.
CREATE TRIGGER ledger_entries_refuse_update_delete
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION budgetguard_refuse_change();
CREATE TRIGGER ledger_entries_refuse_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION budgetguard_refuse_change();

REVOKE ALL ON ledger_entries FROM PUBLIC;
GRANT SELECT, INSERT ON ledger_entries TO budgetguard_writer;
GRANT SELECT ON ledger_entries TO budgetguard_reader;

-- The same policies as V1: they apply to every statement through ledger_entries. A partition is never granted to
-- anyone (reads and writes go through the parent, whose privileges and policies are the ones checked), and has row
-- level security enabled without a policy, so that a grant added by mistake still shows nothing.
ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_entries_reader_own_tenant ON ledger_entries FOR SELECT TO budgetguard_reader
    USING (tenant_id = NULLIF(current_setting('budgetguard.tenant_id', true), ''));
CREATE POLICY ledger_entries_writer_read ON ledger_entries FOR SELECT TO budgetguard_writer USING (true);
CREATE POLICY ledger_entries_writer_append ON ledger_entries FOR INSERT TO budgetguard_writer WITH CHECK (true);

-- ---------------------------------------------------------------------------------------------------------------
-- Partitions
-- ---------------------------------------------------------------------------------------------------------------

-- What every partition gets: its TRUNCATE trigger, row-level security without a policy, no grants, a comment, and
-- its unique index on (tenant_id, event_id, occurred_at) renamed <partition>_event_unique: a duplicate event is
-- reported under the partition's index, and LedgerAppender recognises it by that name.
CREATE FUNCTION budgetguard_seal_ledger_partition(partition_name text) RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    event_index text;
BEGIN
    SELECT c.relname INTO STRICT event_index
    FROM pg_index i
    JOIN pg_inherits h ON h.inhrelid = i.indexrelid
    JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = to_regclass(partition_name) AND h.inhparent = to_regclass('ledger_entries_event_unique');
    EXECUTE format('ALTER INDEX %I RENAME TO %I', event_index, partition_name || '_event_unique');
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                   'EXECUTE FUNCTION budgetguard_refuse_change()',
                   partition_name || '_refuse_truncate', partition_name);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', partition_name);
    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, budgetguard_writer, budgetguard_reader', partition_name);
    EXECUTE format('COMMENT ON TABLE %I IS %L', partition_name,
                   'Partition of ledger_entries: read and write through ledger_entries only; never dropped.');
END;
$$;

-- Creates the partition of the UTC month that contains month_utc (a timestamp without time zone read as UTC) unless
-- it exists; true when it created it. When the default partition already holds rows of that month PostgreSQL refuses
-- the new partition: that month stays in the default partition, with a warning.
CREATE FUNCTION budgetguard_create_ledger_partition(month_utc timestamp) RETURNS boolean
    LANGUAGE plpgsql SET TimeZone = 'UTC' AS
$$
DECLARE
    month_start timestamp := date_trunc('month', month_utc);
    partition_name text := 'ledger_entries_' || to_char(date_trunc('month', month_utc), '"y"YYYY"m"MM');
BEGIN
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN false;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF ledger_entries FOR VALUES FROM (%L) TO (%L)', partition_name,
                       month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
    EXCEPTION
        WHEN duplicate_table THEN
            RETURN false; -- another session created it meanwhile
        WHEN check_violation THEN
            RAISE WARNING 'Partition % not created: ledger_entries_default holds rows of that month '
                '(docs/DEPLOYMENT.md)', partition_name;
            RETURN false;
    END;
    PERFORM budgetguard_seal_ledger_partition(partition_name);
    RETURN true;
END;
$$;

-- Creates the missing monthly partitions from the month of the oldest occurred_at the pipeline accepts (35 days
-- before now, PRODUCT.md §3.1) up to months_ahead months after the current one; returns how many it created. The
-- sink (as budgetguard_writer, which may only EXECUTE this) calls it at start-up and hourly; it runs as the owner of
-- the schema (SECURITY DEFINER) because only the owner may create partitions. Idempotent and cheap when nothing is
-- missing (one catalog probe per month). lock_timeout: creating a partition locks ledger_entries briefly; a sink
-- must not queue every reader behind it while a long query runs — it retries a minute later, months ahead.
CREATE FUNCTION budgetguard_ensure_ledger_partitions(months_ahead integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET TimeZone = 'UTC' SET lock_timeout = '5s' AS
$$
DECLARE
    month_utc timestamp := date_trunc('month', localtimestamp - interval '35 days');
    last_month timestamp := date_trunc('month', localtimestamp) + make_interval(months => months_ahead);
    created integer := 0;
BEGIN
    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 36 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 36, not %', months_ahead
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WHILE month_utc <= last_month LOOP
        IF budgetguard_create_ledger_partition(month_utc) THEN
            created := created + 1;
        END IF;
        month_utc := month_utc + interval '1 month';
    END LOOP;
    RETURN created;
END;
$$;

-- A SECURITY DEFINER function must not resolve names through a search_path its caller controls (a temporary table
-- named ledger_entries, for one): pin the schema the migration runs in, pg_temp last.
DO
$$
BEGIN
    EXECUTE format('ALTER FUNCTION budgetguard_ensure_ledger_partitions(integer) SET search_path = %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION budgetguard_create_ledger_partition(timestamp) SET search_path = %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION budgetguard_seal_ledger_partition(text) SET search_path = %I, pg_temp',
                   current_schema());
END;
$$;

REVOKE ALL ON FUNCTION budgetguard_seal_ledger_partition(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION budgetguard_create_ledger_partition(timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION budgetguard_ensure_ledger_partitions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION budgetguard_ensure_ledger_partitions(integer) TO budgetguard_writer;

CREATE TABLE ledger_entries_default PARTITION OF ledger_entries DEFAULT;
SELECT budgetguard_seal_ledger_partition('ledger_entries_default');
COMMENT ON TABLE ledger_entries_default IS
    'Rows whose month has no partition; should stay empty (docs/DEPLOYMENT.md). Read and write through ledger_entries.';

-- the months the existing rows need, then the acceptance window and three months ahead
SELECT budgetguard_create_ledger_partition(m.month_utc)
FROM (SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS month_utc FROM ledger_entries_v1) m
ORDER BY m.month_utc;
SELECT budgetguard_ensure_ledger_partitions(3);

-- ---------------------------------------------------------------------------------------------------------------
-- The fork fence: one row per ledger chain, moved forward once per tenant per batch
-- ---------------------------------------------------------------------------------------------------------------
-- The sink reads a chain's head here (one probe, however many partitions) and, in the batch's transaction, moves it
-- with UPDATE ... WHERE seq = <the head it chained from> (INSERT ... ON CONFLICT DO NOTHING for a new chain). A second
-- writer that chained from a stale head changes no row, and its whole batch rolls back, as a (tenant_id, seq)
-- violation did before; a concurrent one waits for the row lock, then finds the seq moved. Not part of the hash chain:
-- `ledger verify` checks ledger_entries itself.

CREATE TABLE ledger_chain_heads (
    tenant_id  text   NOT NULL,
    seq        bigint NOT NULL CHECK (seq >= 1),
    entry_hash bytea  NOT NULL CHECK (octet_length(entry_hash) = 32),
    CONSTRAINT ledger_chain_heads_pkey PRIMARY KEY (tenant_id)
) WITH (fillfactor = 50); -- room on each page keeps the per-batch updates HOT (no index update)

COMMENT ON TABLE ledger_chain_heads IS
    'Newest seq and entry_hash of each tenant''s ledger chain: the sink''s fence against a second writer forking a '
    'chain (D32). Moves forward only; never deleted.';

CREATE FUNCTION budgetguard_refuse_head_rewind() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'ledger_chain_heads only moves forward: % from seq % to %', OLD.tenant_id, OLD.seq, NEW.seq
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_chain_heads_forward_only
    BEFORE UPDATE ON ledger_chain_heads
    FOR EACH ROW WHEN (NEW.seq <= OLD.seq OR NEW.tenant_id <> OLD.tenant_id)
    EXECUTE FUNCTION budgetguard_refuse_head_rewind();
CREATE TRIGGER ledger_chain_heads_refuse_delete
    BEFORE DELETE ON ledger_chain_heads
    FOR EACH ROW EXECUTE FUNCTION budgetguard_refuse_change();
CREATE TRIGGER ledger_chain_heads_refuse_truncate
    BEFORE TRUNCATE ON ledger_chain_heads
    FOR EACH STATEMENT EXECUTE FUNCTION budgetguard_refuse_change();

REVOKE ALL ON ledger_chain_heads FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON ledger_chain_heads TO budgetguard_writer;

-- ---------------------------------------------------------------------------------------------------------------
-- Copy, check, swap
-- ---------------------------------------------------------------------------------------------------------------

INSERT INTO ledger_entries (tenant_id, seq, event_id, api_key_id, occurred_at, received_at, recorded_at, provider,
                            model, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,
                            reasoning_tokens, cost_usd, price_version, end_user_ct, metadata_ct, source_partition,
                            source_offset, prev_hash, entry_hash)
SELECT tenant_id, seq, event_id, api_key_id, occurred_at, received_at, recorded_at, provider, model, input_tokens,
       cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, price_version, end_user_ct,
       metadata_ct, source_partition, source_offset, prev_hash, entry_hash
FROM ledger_entries_v1
ORDER BY tenant_id, seq;

INSERT INTO ledger_chain_heads (tenant_id, seq, entry_hash)
SELECT DISTINCT ON (tenant_id) tenant_id, seq, entry_hash
FROM ledger_entries_v1
ORDER BY tenant_id, seq DESC;

DO
$$
DECLARE
    before bigint := (SELECT count(*) FROM ledger_entries_v1);
    after bigint := (SELECT count(*) FROM ledger_entries);
BEGIN
    IF before <> after THEN
        RAISE EXCEPTION 'ledger_entries copy incomplete: % rows in the V1 table, % copied', before, after;
    END IF;
END;
$$;

DROP TABLE ledger_entries_v1;
