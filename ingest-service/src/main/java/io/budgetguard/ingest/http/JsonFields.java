package io.budgetguard.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.common.http.Problem;
import io.budgetguard.ingest.usage.Rfc3339;
import io.budgetguard.ingest.usage.UsageRequestReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the fields of one request object (admin API, self-service, estimate), collecting every problem so that one 422 names them all. Unknown
 * fields are refused. JSON {@code null} counts as absent.
 */
public final class JsonFields {

    /** Tenant and budget ids: lower-case, digits, {@code _} and {@code -}, up to 64 characters. */
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** Money and prices: numeric(20,9), i.e. at most 11 integer digits and 9 decimal places. */
    public static final int SCALE = 9;
    private static final int MAX_INTEGER_DIGITS = 11;

    private final List<Problem.FieldError> errors;
    private final Integer index;
    private final JsonNode object;

    private JsonFields(JsonNode object, Set<String> allowed, List<Problem.FieldError> errors, Integer index) {
        this.object = object;
        this.errors = errors;
        this.index = index;
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                error(name.length() <= 64 ? name : name.substring(0, 64) + "…", "unknown field");
            }
        }
    }

    public static JsonFields of(ObjectNode object, Set<String> allowed) {
        return new JsonFields(object, allowed, new ArrayList<>(), null);
    }

    /** The fields of an element of an array field, reported with its index and into the same error list. */
    public JsonFields element(JsonNode element, int position, Set<String> allowed) {
        return new JsonFields(element, allowed, errors, position);
    }

    public boolean has(String name) {
        JsonNode value = object.get(name);
        return value != null && !value.isNull();
    }

    public JsonNode node(String name) {
        return object.get(name);
    }

    public String requiredString(String name) {
        String value = optionalString(name);
        if (value == null && !isWrongType(name)) {
            error(name, "is required");
        }
        return value;
    }

    public String optionalString(String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            error(name, "must be a string");
            return null;
        }
        return value.textValue();
    }

    public String requiredId(String name) {
        String value = requiredString(name);
        if (value != null && !ID.matcher(value).matches()) {
            error(name, "must match [a-z0-9][a-z0-9_-]{0,63}");
            return null;
        }
        return value;
    }

    public String printable(String name, int max, boolean required) {
        String value = required ? requiredString(name) : optionalString(name);
        if (value != null && !UsageRequestReader.isPrintable(value, max)) {
            error(name, "must be 1 to " + max + " printable characters");
            return null;
        }
        return value;
    }

    public Integer optionalInt(String name, int min, int max) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            error(name, "must be an integer from " + min + " to " + max);
            return null;
        }
        return value.intValue();
    }

    /**
     * A decimal given as a string ({@code "12.5"}) or a JSON number, at most 9 decimal places and 11 integer digits,
     * returned at scale 9; {@code positive} refuses 0.
     */
    public BigDecimal decimal(String name, boolean positive) {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            error(name, "is required");
            return null;
        }
        BigDecimal value;
        if (node.isTextual()) {
            try {
                value = new BigDecimal(node.textValue());
            } catch (NumberFormatException e) {
                error(name, "must be a decimal number such as \"12.50\"");
                return null;
            }
        } else if (node.isNumber()) {
            value = node.decimalValue();
        } else {
            error(name, "must be a decimal string such as \"12.50\"");
            return null;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() > SCALE) {
            error(name, "must have at most " + SCALE + " decimal places");
            return null;
        }
        if (stripped.precision() - stripped.scale() > MAX_INTEGER_DIGITS) {
            error(name, "must be below 10^" + MAX_INTEGER_DIGITS);
            return null;
        }
        if (value.signum() < 0 || positive && value.signum() == 0) {
            error(name, positive ? "must be greater than 0" : "must not be negative");
            return null;
        }
        return value.setScale(SCALE, RoundingMode.UNNECESSARY);
    }

    /** An RFC 3339 time, truncated to milliseconds. */
    public Instant requiredTime(String name) {
        String text = requiredString(name);
        if (text == null) {
            return null;
        }
        try {
            return Rfc3339.parse(text);
        } catch (Rfc3339.InvalidTimestampException e) {
            error(name, e.getMessage());
            return null;
        }
    }

    public void error(String field, String message) {
        errors.add(new Problem.FieldError(index, field, message));
    }

    public boolean isValid() {
        return errors.isEmpty();
    }

    /** Throws one 422 naming every problem found so far. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw Problems.invalid("The request is invalid; nothing was changed", errors);
        }
    }

    private boolean isWrongType(String name) {
        JsonNode value = object.get(name);
        return value != null && !value.isNull() && !value.isTextual();
    }
}
