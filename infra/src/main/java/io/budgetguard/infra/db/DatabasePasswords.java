package io.budgetguard.infra.db;

import java.security.SecureRandom;
import java.util.Base64;

/** Generated passwords for database login users (dev mode, tests). */
public final class DatabasePasswords {

    private static final SecureRandom RANDOM = new SecureRandom();

    private DatabasePasswords() {}

    /** 24 random bytes, base64url without padding: 32 characters, safe in a URL, a shell line and a .env file. */
    public static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
