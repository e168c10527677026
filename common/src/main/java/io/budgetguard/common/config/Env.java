package io.budgetguard.common.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads typed settings from environment variables and collects every problem, so that a service reports all bad
 * settings at once and a half-configured service never starts. Values of settings marked secret never appear in
 * messages.
 *
 * <pre>{@code
 * Env env = new Env("ingest-service", System.getenv());
 * String bootstrap = env.required("KAFKA_BOOTSTRAP", "Kafka bootstrap servers, host:port[,host:port]");
 * int port = env.port("INGEST_PORT", 8080);
 * env.validate();   // throws ConfigException naming every problem
 * }</pre>
 */
public final class Env {

    private final String service;
    private final Map<String, String> values;
    private final List<String> problems = new ArrayList<>();

    public Env(String service, Map<String, String> values) {
        this.service = Objects.requireNonNull(service);
        this.values = Map.copyOf(values);
    }

    public String required(String name, String what) {
        String value = raw(name);
        if (value == null) {
            problems.add(name + " is required (" + what + ")");
            return "";
        }
        return value;
    }

    public String optional(String name, String defaultValue) {
        String value = raw(name);
        return value == null ? defaultValue : value;
    }

    public int integer(String name, int defaultValue, int min, int max) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                problems.add(name + " must be between " + min + " and " + max + ", was " + parsed);
                return defaultValue;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(name + " must be an integer, was '" + value + "'");
            return defaultValue;
        }
    }

    public int port(String name, int defaultValue) {
        return integer(name, defaultValue, 0, 65535);
    }

    public Duration millis(String name, Duration defaultValue) {
        return Duration.ofMillis(integer(name, (int) defaultValue.toMillis(), 1, Integer.MAX_VALUE));
    }

    public String httpUrl(String name, String what) {
        String value = required(name, what);
        if (!value.isEmpty()) {
            try {
                URI uri = URI.create(value);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    problems.add(name + " must be an http(s) URL (" + what + "), was '" + value + "'");
                }
            } catch (IllegalArgumentException e) {
                problems.add(name + " must be an http(s) URL (" + what + "), was '" + value + "'");
            }
        }
        return value;
    }

    /** A required secret: its value is never echoed in a problem message. */
    public String secret(String name, String what, int minLength) {
        String value = raw(name);
        if (value == null) {
            problems.add(name + " is required (" + what + ")");
            return "";
        }
        if (value.length() < minLength) {
            problems.add(name + " is too short (" + what + "): at least " + minLength + " characters");
        }
        return value;
    }

    /** Records a problem found by a check the caller made itself. */
    public void problem(String message) {
        problems.add(message);
    }

    /** Throws a {@link ConfigException} listing every problem found so far. */
    public void validate() {
        if (!problems.isEmpty()) {
            throw new ConfigException(service, problems);
        }
    }

    private String raw(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
