package io.budgetguard.ingest.testing;

import io.budgetguard.common.auth.AdminKeyVerifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every secret the tests of this JVM created or sent — tenant API key secrets and admin keys — so that
 * {@link LogLeakCheck} can look for each of them in everything that was logged. The test helpers register them:
 * {@link TestIngest} and {@link Http} harvest every {@code Authorization}/{@code X-Admin-Key} they send and every
 * {@code api_key} they receive, {@link ControlFixtures} the keys it makes, {@link #newAdminKey()} the admin keys.
 */
public final class TestSecrets {

    /** A tenant key as presented; group 1 is the secret. */
    private static final Pattern API_KEY = Pattern.compile("bg_k[a-z0-9]{15}\\.([A-Za-z0-9_-]{43})");
    private static final Pattern ADMIN_KEY = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private TestSecrets() {}

    /** A new admin key, registered. */
    public static String newAdminKey() {
        return register(AdminKeyVerifier.newAdminKey());
    }

    public static String register(String secret) {
        if (secret != null && !secret.isEmpty()) {
            SECRETS.add(secret);
        }
        return secret;
    }

    /** Registers the secret of every tenant key in {@code text} (a response body, a header value). */
    public static void harvest(String text) {
        if (text == null) {
            return;
        }
        Matcher keys = API_KEY.matcher(text);
        while (keys.find()) {
            SECRETS.add(keys.group(1));
        }
    }

    /** Registers what a request carries: its bearer token's secret, its admin key. */
    public static void harvestHeaders(String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            String name = headers[i];
            String value = headers[i + 1];
            if (name.equalsIgnoreCase("Authorization")) {
                harvest(value);
            } else if (name.equalsIgnoreCase("X-Admin-Key") && value != null && ADMIN_KEY.matcher(value).matches()) {
                SECRETS.add(value);
            }
        }
    }

    public static Set<String> all() {
        return Set.copyOf(SECRETS);
    }
}
