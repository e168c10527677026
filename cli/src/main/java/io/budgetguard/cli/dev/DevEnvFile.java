package io.budgetguard.cli.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code .budgetguard/dev.env}: shell {@code KEY=value} lines for the running dev stack, readable only by the owner
 * because it holds the dev admin key and the demo API key.
 */
public final class DevEnvFile {

    private final Map<String, String> values = new LinkedHashMap<>();

    public DevEnvFile put(String key, Object value) {
        values.put(key, String.valueOf(value));
        return this;
    }

    /** The values in the order they were put. */
    public Map<String, String> values() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public String render() {
        return values.entrySet().stream()
                .map(e -> e.getKey() + "=" + shellQuote(e.getValue()))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, "# Written by `budgetguard dev`; source it: set -a; . " + file + "; set +a\n" + render());
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: keep the default permissions
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String shellQuote(String value) {
        if (value.matches("[A-Za-z0-9_./:@=,+-]*")) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
