package io.budgetguard.ledger.store;

/** Column lists of {@code ledger_entries}, shared by the writer and the readers so that they cannot drift apart. */
public final class LedgerColumns {

    /** Every column the sink writes, in COPY order ({@code recorded_at} is the database's {@code DEFAULT now()}). */
    public static final String INSERTED = "tenant_id, seq, event_id, api_key_id, occurred_at, received_at, provider, "
            + "model, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, "
            + "price_version, end_user_ct, metadata_ct, source_partition, source_offset, prev_hash, entry_hash";

    /** Every column, as {@link LedgerEntryRows#read} expects them. */
    public static final String ALL = INSERTED + ", recorded_at";

    private LedgerColumns() {}
}
