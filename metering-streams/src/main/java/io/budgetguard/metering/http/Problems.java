package io.budgetguard.metering.http;

import io.budgetguard.common.http.Problem;
import io.budgetguard.common.http.ProblemException;
import java.util.Map;

/** The problems metering-streams answers with, worded and shaped like ingest's. */
public final class Problems {

    /** What a client should wait before retrying after a 503, in seconds. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private Problems() {}

    public static ProblemException badRequest(String detail) {
        return ProblemException.of(400, "Bad Request", detail);
    }

    public static ProblemException forbidden(String detail) {
        return ProblemException.of(403, "Forbidden", detail);
    }

    public static ProblemException notFound(String detail) {
        return ProblemException.of(404, "Not Found", detail);
    }

    /** 503 with {@code Retry-After}: the request may be retried as is. */
    public static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "Service Unavailable", detail),
                Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
}
