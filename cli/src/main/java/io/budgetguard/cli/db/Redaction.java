package io.budgetguard.cli.db;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps passwords out of what the command prints. Driver and Flyway messages name the URL and the user, not the
 * password, but a URL may carry {@code password=} and a future message might echo more: the command is the last
 * place that can make sure, so it redacts every password it knows of before printing. A password is masked where it
 * stands as a token of its own, not inside a longer word: a dev password {@code postgres} must not turn
 * {@code jdbc:postgresql:} into {@code jdbc:****ql:}.
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
        String redacted = URL_PASSWORD.matcher(text).replaceAll("$1" + MASK);
        for (String secret : secrets) {
            if (secret != null && secret.length() >= SHORTEST_REDACTED) {
                Pattern token = Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(secret) + "(?![A-Za-z0-9])");
                redacted = token.matcher(redacted).replaceAll(Matcher.quoteReplacement(MASK));
            }
        }
        return redacted;
    }
}
