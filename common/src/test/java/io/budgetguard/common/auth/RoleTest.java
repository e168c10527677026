package io.budgetguard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleTest {

    @Test
    void shouldOrderOwnerAboveAdminAboveDeveloperAboveViewer() {
        assertThat(Role.OWNER.allows(Role.ADMIN)).isTrue();
        assertThat(Role.ADMIN.allows(Role.DEVELOPER)).isTrue();
        assertThat(Role.DEVELOPER.allows(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.allows(Role.DEVELOPER)).isFalse();
        assertThat(Role.DEVELOPER.allows(Role.ADMIN)).isFalse();
        assertThat(Role.ADMIN.allows(Role.OWNER)).isFalse();
    }

    @Test
    void shouldAllowItsOwnLevel() {
        for (Role role : Role.values()) {
            assertThat(role.allows(role)).isTrue();
        }
    }

    @Test
    void shouldParseLowerCaseWireNamesOnly() {
        assertThat(Role.parse("developer")).contains(Role.DEVELOPER);
        assertThat(Role.parse("owner")).contains(Role.OWNER);
        assertThat(Role.parse("DEVELOPER")).isEmpty();
        assertThat(Role.parse("root")).isEmpty();
        assertThat(Role.parse(null)).isEmpty();
    }

    @Test
    void shouldWriteLowerCaseWireNames() {
        assertThat(Role.VIEWER.wireName()).isEqualTo("viewer");
        assertThat(Role.ADMIN).hasToString("admin");
    }
}
