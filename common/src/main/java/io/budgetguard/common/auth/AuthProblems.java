package io.budgetguard.common.auth;

import io.budgetguard.common.http.Problem;
import io.budgetguard.common.http.ProblemException;
import java.util.Map;

/**
 * The answers of tenant-key authentication, the same in every service: 401 with the {@code WWW-Authenticate} challenge
 * RFC 6750 asks for, 403 for a role too low, 429 and 503 with {@code Retry-After}.
 */
public final class AuthProblems {

    /** What a client should wait before retrying after a 503, in seconds. */
    static final String RETRY_AFTER_SECONDS = "1";

    private AuthProblems() {}

    /** 401 for a tenant API key; the challenge names {@code invalid_token} when a key was presented. */
    public static ProblemException invalidBearer(String detail, boolean keyPresented) {
        String challenge = keyPresented
                ? "Bearer realm=\"budgetguard\", error=\"invalid_token\""
                : "Bearer realm=\"budgetguard\"";
        return new ProblemException(Problem.of(401, "Unauthorized", detail), Map.of("WWW-Authenticate", challenge));
    }

    static ProblemException forbidden(String detail) {
        return ProblemException.of(403, "Forbidden", detail);
    }

    static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(Problem.of(429, "Too Many Requests", detail),
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "Service Unavailable", detail),
                Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
}
