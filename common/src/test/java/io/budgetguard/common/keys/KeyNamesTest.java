package io.budgetguard.common.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyNamesTest {

    @Test
    void shouldNameTenantKeysAfterTheTenant() {
        assertThat(KeyNames.tenantDataKey("acme")).isEqualTo("budgetguard-tenant-acme");
        assertThat(KeyNames.isTenantDataKey("budgetguard-tenant-acme")).isTrue();
        assertThat(KeyNames.isTenantDataKey(KeyNames.LEDGER_SIGNING_KEY)).isFalse();
    }

    @Test
    void shouldKeepTenantKeyNamesValidForVaultWhenTheIdEndsWithADash() {
        String name = KeyNames.tenantDataKey("acme-");

        assertThat(name).isEqualTo("budgetguard-tenant-acme-.0");
        assertThat(KeyNames.requireValid(name)).isEqualTo(name);
        assertThat(name).isNotEqualTo(KeyNames.tenantDataKey("acme-_"));
    }

    @Test
    void shouldRefuseTenantIdsThatCannotBeKeyNames() {
        assertThatThrownBy(() -> KeyNames.tenantDataKey("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyNames.tenantDataKey("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseKeyNamesVaultWouldRefuse() {
        assertThatThrownBy(() -> KeyNames.requireValid("-x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyNames.requireValid("x/../y")).isInstanceOf(IllegalArgumentException.class);
        assertThat(KeyNames.requireValid("budgetguard-ledger")).isEqualTo("budgetguard-ledger");
    }
}
