package io.budgetguard.ledger.api;

import io.budgetguard.common.http.Problem;
import io.budgetguard.common.http.ProblemException;
import java.util.Map;

/** The problems the ledger API answers with, worded and shaped like ingest's and metering-streams'. */
final class ApiProblems {

    private ApiProblems() {}

    static ProblemException badRequest(String detail) {
        return ProblemException.of(400, "Bad Request", detail);
    }

    /** 401 with the {@code WWW-Authenticate} challenge RFC 6750 asks for. */
    static ProblemException invalidBearer(String detail, boolean keyPresented) {
        String challenge = keyPresented
                ? "Bearer realm=\"budgetguard\", error=\"invalid_token\""
                : "Bearer realm=\"budgetguard\"";
        return new ProblemException(Problem.of(401, "Unauthorized", detail), Map.of("WWW-Authenticate", challenge));
    }

    static ProblemException forbidden(String detail) {
        return ProblemException.of(403, "Forbidden", detail);
    }

    /** 503 with {@code Retry-After}: the request may be retried as is. */
    static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "Service Unavailable", detail), Map.of("Retry-After", "1"));
    }
}
