package io.budgetguard.cli.db;

import java.util.regex.Pattern;

/**
 * Keeps passwords out of what the command prints. Driver and Flyway messages name the URL and the user, not the
 * password, but a URL may carry {@code password=} and a future message might echo more: the command is the last
 * place that can make sure, so it redacts every password it knows of before printing.
 */
final class Redaction {

    static final String MASK = "****";
    /** Shorter strings would blank out ordinary words; Migrations refuses passwords under 16 characters anyway. */
    private static final int SHORTEST_REDACTED = 4;
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;\\s]*");

    private Redaction() {}

    /** {@code text} with every given secret and every URL {@code password=} value replaced by {@value #MASK}. */
    static String redact(String text, String... secrets) {
        if (text == null) {
            return "";
        }
        String redacted = text;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= SHORTEST_REDACTED) {
                redacted = redacted.replace(secret, MASK);
            }
        }
        return URL_PASSWORD.matcher(redacted).replaceAll("$1" + MASK);
    }
}
