package io.budgetguard.common.secrets;

/** Masking of secrets wherever they might be shown: logs, errors, listings. */
public final class Secrets {

    private Secrets() {}

    /** {@code first 6…last 4}; {@code ****} when shorter than 8 characters, when the masked form would reveal most of it. */
    public static String mask(String secret) {
        if (secret == null) {
            return "null";
        }
        if (secret.length() < 8) {
            return "****";
        }
        if (secret.length() <= 12) {
            return secret.substring(0, 2) + "…" + secret.substring(secret.length() - 2);
        }
        return secret.substring(0, 6) + "…" + secret.substring(secret.length() - 4);
    }
}
