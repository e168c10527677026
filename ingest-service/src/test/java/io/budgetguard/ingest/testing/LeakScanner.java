package io.budgetguard.ingest.testing;

import io.budgetguard.common.secrets.Secrets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds secrets in text. Secrets are base64url or hex strings, so a line is cut into runs of
 * {@code [A-Za-z0-9_-]} and every substring of a secret's length is looked up in a hash set: linear in the text,
 * whatever the number of secrets.
 */
public final class LeakScanner {

    /** A secret found in a line; both shown masked, so that the report does not leak it again. */
    public record Leak(String maskedSecret, String maskedLine) {
        @Override
        public String toString() {
            return "secret " + maskedSecret + " in: " + maskedLine;
        }
    }

    private LeakScanner() {}

    public static List<Leak> scan(Collection<String> lines, Set<String> secrets) {
        List<Leak> leaks = new ArrayList<>();
        if (secrets.isEmpty()) {
            return leaks;
        }
        TreeSet<Integer> lengths = new TreeSet<>();
        for (String secret : secrets) {
            lengths.add(secret.length());
        }
        for (String line : lines) {
            String found = find(line, secrets, lengths);
            if (found != null) {
                String masked = Secrets.mask(found);
                String shown = line.replace(found, masked);
                leaks.add(new Leak(masked, shown.length() > 500 ? shown.substring(0, 500) + "…" : shown));
            }
        }
        return leaks;
    }

    private static String find(String line, Set<String> secrets, TreeSet<Integer> lengths) {
        int n = line.length();
        int start = 0;
        while (start < n) {
            while (start < n && !isSecretChar(line.charAt(start))) {
                start++;
            }
            int end = start;
            while (end < n && isSecretChar(line.charAt(end))) {
                end++;
            }
            int run = end - start;
            for (int length : lengths) {
                if (length > run) {
                    break;
                }
                for (int i = start; i + length <= end; i++) {
                    String candidate = line.substring(i, i + length);
                    if (secrets.contains(candidate)) {
                        return candidate;
                    }
                }
            }
            start = end;
        }
        return null;
    }

    private static boolean isSecretChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }
}
