package io.budgetguard.metering.spend;

import io.budgetguard.metering.http.Problems;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The parameters of {@code GET /v1/spend}.
 *
 * @param budgetId one budget of the caller's tenant, or empty for all of them
 * @param day      a UTC day inside the wanted period (each budget answers for its own period containing that day), or
 *                 empty for the current period
 */
public record SpendQuery(Optional<String> budgetId, Optional<LocalDate> day) {

    /** Budget ids as the admin API accepts them. */
    private static final Pattern BUDGET_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final int MAX_PERIOD_LENGTH = 64;

    /**
     * Parses {@code budget_id} and {@code period}: an ISO date inside the wanted period ({@code 2026-03-10}) or an
     * RFC 3339 instant, typically the period start ({@code 2026-03-01T00:00:00Z}), read as its UTC day.
     *
     * @throws io.budgetguard.common.http.ProblemException 400 naming the parameter that is wrong
     */
    public static SpendQuery parse(String budgetId, String period) {
        Optional<String> budget = Optional.ofNullable(budgetId).filter(id -> !id.isEmpty());
        if (budget.isPresent() && !BUDGET_ID.matcher(budget.get()).matches()) {
            throw Problems.badRequest("budget_id must match [a-z0-9][a-z0-9_-]{0,63}");
        }
        Optional<String> text = Optional.ofNullable(period).map(String::trim).filter(p -> !p.isEmpty());
        return new SpendQuery(budget, text.map(SpendQuery::day));
    }

    private static LocalDate day(String period) {
        if (period.length() <= MAX_PERIOD_LENGTH) {
            try {
                return period.length() == 10 ? LocalDate.parse(period)
                        : OffsetDateTime.parse(period).atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
            } catch (DateTimeParseException e) {
                // answered below, without echoing the parser's message
            }
        }
        throw Problems.badRequest("period must be an ISO date inside the wanted period (e.g. 2026-03-10) or an RFC 3339"
                + " instant such as the period start (e.g. 2026-03-01T00:00:00Z)");
    }
}
