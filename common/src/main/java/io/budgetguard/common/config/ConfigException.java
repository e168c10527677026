package io.budgetguard.common.config;

import java.util.List;

/** A service's configuration is incomplete or invalid. The message lists every problem, one per line, secrets masked. */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(String service, List<String> problems) {
        super(service + " configuration is invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
