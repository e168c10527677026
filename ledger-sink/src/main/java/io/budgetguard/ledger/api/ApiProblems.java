package io.budgetguard.ledger.api;

import io.budgetguard.common.http.Problem;
import io.budgetguard.common.http.ProblemException;
import java.util.Map;

/**
 * The problems the ledger API answers with besides authentication's (401, 429 and 503 of {@code common.auth}), worded
 * and shaped like ingest's and metering-streams'.
 */
final class ApiProblems {

    private ApiProblems() {}

    static ProblemException badRequest(String detail) {
        return ProblemException.of(400, "Bad Request", detail);
    }

    /** 503 with {@code Retry-After}: the request may be retried as is. */
    static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "Service Unavailable", detail), Map.of("Retry-After", "1"));
    }
}
