package io.budgetguard.common.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}. {@code errors} names each invalid item, e.g.
 * {@code {"index":3,"field":"occurred_at","message":"..."}} for one event of a batch.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

    public static final String CONTENT_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null);
    }

    /** One invalid field; {@code index} is the position of the event in a batch, null for a single object. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldError(Integer index, String field, String message) {}
}
