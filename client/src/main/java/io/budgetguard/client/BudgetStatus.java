package io.budgetguard.client;

import java.util.Locale;
import java.util.Optional;

/** The tenant's budget status as the server reports it in {@code X-Budget-Status} on every 202. */
public enum BudgetStatus {
    OK, WARNING, EXCEEDED;

    /** The status a header value names; empty for an absent or unknown value (a newer server may add one). */
    public static Optional<BudgetStatus> fromHeader(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "ok" -> Optional.of(OK);
            case "warning" -> Optional.of(WARNING);
            case "exceeded" -> Optional.of(EXCEEDED);
            default -> Optional.empty();
        };
    }
}
