package io.budgetguard.common.http;

import java.util.Map;

/** Thrown by a handler to answer with a problem; mapped to the response in one place, {@link HttpServers}. */
public class ProblemException extends RuntimeException {

    private final Problem problem;
    private final Map<String, String> headers;

    public ProblemException(Problem problem) {
        this(problem, Map.of());
    }

    public ProblemException(Problem problem, Map<String, String> headers) {
        super(problem.title() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException of(int status, String title, String detail) {
        return new ProblemException(Problem.of(status, title, detail));
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
