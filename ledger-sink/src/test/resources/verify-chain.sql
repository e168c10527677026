-- Verifies every tenant's ledger hash chain with nothing but PostgreSQL (PRODUCT.md §5); prints one row per broken
-- entry (none when the ledger is intact). Run it as a superuser, the owner, or the reader with the tenant set:
--   psql -v ON_ERROR_STOP=1 -f verify-chain.sql
-- to_json() escapes strings exactly as RFC 8785 does (\" \\ \b \f \n \r \t, other controls as lowercase \u00xx,
-- everything else literal) and array_to_json() writes no whitespace, so the canonical array is built in SQL.
WITH entries AS (
    SELECT tenant_id, seq, event_id, prev_hash, entry_hash,
           lag(seq) OVER chain        AS previous_seq,
           lag(entry_hash) OVER chain AS previous_entry_hash,
           sha256(prev_hash || convert_to(array_to_json(ARRAY[
               'v1', tenant_id, seq::text, event_id, api_key_id,
               to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               provider, model, input_tokens::text, cached_input_tokens::text, cache_write_tokens::text,
               output_tokens::text, reasoning_tokens::text, cost_usd::text, price_version, end_user_ct, metadata_ct
           ])::text, 'UTF8')) AS computed_hash
    FROM ledger_entries
    WINDOW chain AS (PARTITION BY tenant_id ORDER BY seq)
)
SELECT tenant_id, seq, event_id,
       CASE WHEN seq <> coalesce(previous_seq, 0) + 1 THEN 'seq gap'
            WHEN prev_hash <> coalesce(previous_entry_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
                THEN 'prev_hash does not link'
            ELSE 'entry_hash does not match content' END AS problem
FROM entries
WHERE seq <> coalesce(previous_seq, 0) + 1
   OR prev_hash <> coalesce(previous_entry_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
   OR computed_hash <> entry_hash
ORDER BY tenant_id, seq;
