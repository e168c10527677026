package io.budgetguard.ledger.store;

/**
 * A {@code ledger_entries} row that is not a valid entry (a NULL, a hash that is not 32 bytes, a cost with more than 9
 * fraction digits). The schema's constraints forbid all of these, so such a row means someone changed the schema or
 * bypassed it; the verifier reports it as a break.
 */
public final class MalformedLedgerRowException extends RuntimeException {

    private final String tenantId;
    private final long seq;
    private final String eventId;

    public MalformedLedgerRowException(String tenantId, long seq, String eventId, String problem, Throwable cause) {
        super("Ledger row of tenant " + tenantId + " seq " + seq + " (event " + eventId + ") is malformed: " + problem,
                cause);
        this.tenantId = tenantId;
        this.seq = seq;
        this.eventId = eventId;
    }

    public String tenantId() {
        return tenantId;
    }

    public long seq() {
        return seq;
    }

    public String eventId() {
        return eventId;
    }
}
