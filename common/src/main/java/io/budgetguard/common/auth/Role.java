package io.budgetguard.common.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a tenant API key may do. Ordered from most to least powerful: a role allows everything the roles below it
 * allow ({@code owner > admin > developer > viewer}).
 */
public enum Role {
    OWNER(4),
    ADMIN(3),
    DEVELOPER(2),
    VIEWER(1);

    private final int rank;

    Role(int rank) {
        this.rank = rank;
    }

    /** True when a key with this role may do what {@code required} may do. */
    public boolean allows(Role required) {
        return rank >= required.rank;
    }

    /** The lower-case name used on the wire and in {@code control.apikeys.v1}: {@code owner}, {@code admin}, … */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code name} (lower case, as on the wire); empty for anything else. */
    public static Optional<Role> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName();
    }
}
