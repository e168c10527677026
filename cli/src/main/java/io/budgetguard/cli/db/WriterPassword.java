package io.budgetguard.cli.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the writer login's password comes from: a file (a Docker or Kubernetes secret) when one is named, otherwise
 * {@value #ENV}. Never the command line, where {@code ps} and shell histories would show it.
 */
final class WriterPassword {

    static final String ENV = "DATABASE_WRITER_PASSWORD";
    /** What {@code Migrations.grantLogin} demands; checked here too so that nothing is migrated before a refusal. */
    static final int MIN_LENGTH = 16;

    private WriterPassword() {}

    /**
     * The password from {@code file} (its content without the trailing line break) or else from {@value #ENV} in
     * {@code environment}.
     *
     * @throws IllegalArgumentException naming the source when there is no password, it is too short or unreadable;
     *                                  the message never contains the password
     */
    static String resolve(Path file, Map<String, String> environment) {
        String password;
        String source;
        if (file != null) {
            source = "the file " + file;
            try {
                password = stripLineBreak(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read the writer password from " + source + ": "
                        + e.getClass().getSimpleName());
            }
        } else {
            source = ENV;
            password = environment.get(ENV);
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("--writer-user needs a password: set " + ENV
                        + " or pass --writer-password-file");
            }
        }
        if (password.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("The writer password from " + source + " is too short: at least "
                    + MIN_LENGTH + " characters");
        }
        return password;
    }

    private static String stripLineBreak(String content) {
        String stripped = content;
        if (stripped.endsWith("\n")) {
            stripped = stripped.substring(0, stripped.length() - 1);
        }
        if (stripped.endsWith("\r")) {
            stripped = stripped.substring(0, stripped.length() - 1);
        }
        return stripped;
    }
}
