package io.budgetguard.ingest.http;

import io.budgetguard.common.http.Problem;
import io.budgetguard.common.http.ProblemException;
import java.util.List;
import java.util.Map;

/** The problems ingest answers with, in one place so that titles, headers and wording stay consistent. */
public final class Problems {

    /** What a client should wait before retrying after a 503, in seconds. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private Problems() {}

    public static ProblemException badRequest(String detail) {
        return ProblemException.of(400, "Bad Request", detail);
    }

    public static ProblemException invalidAdminKey() {
        return ProblemException.of(401, "Unauthorized", "X-Admin-Key is missing or wrong");
    }

    public static ProblemException forbidden(String detail) {
        return ProblemException.of(403, "Forbidden", detail);
    }

    public static ProblemException notFound(String detail) {
        return ProblemException.of(404, "Not Found", detail);
    }

    public static ProblemException conflict(String detail) {
        return ProblemException.of(409, "Conflict", detail);
    }

    public static ProblemException payloadTooLarge(String detail) {
        return ProblemException.of(413, "Payload Too Large", detail);
    }

    public static ProblemException unsupportedMediaType(String detail) {
        return ProblemException.of(415, "Unsupported Media Type", detail);
    }

    /** 422 naming every invalid field ({@code index} is the event's position in a batch). */
    public static ProblemException invalid(String detail, List<Problem.FieldError> errors) {
        return new ProblemException(new Problem("about:blank", "Unprocessable Content", 422, detail, List.copyOf(errors)));
    }

    /** 429 with {@code Retry-After} (whole seconds): a rate limit refused the request; retry it as is, later. */
    public static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(Problem.of(429, "Too Many Requests", detail),
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    /** 503 with {@code Retry-After}: the request may be retried as is. */
    public static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "Service Unavailable", detail),
                Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
}
