package io.budgetguard.common.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.keys.local.LocalKeyService;
import io.budgetguard.common.keys.vault.VaultCredentials;
import io.budgetguard.common.keys.vault.VaultKeyService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyServicesTest {

    @TempDir
    Path directory;

    @Test
    void shouldChooseLocalKeysInTheDefaultDirectoryWhenNothingIsSet() {
        KeyServices.Selection selection = KeyServices.select(Map.of());

        assertThat(selection.kind()).isEqualTo(KeyServices.Kind.LOCAL);
        assertThat(selection.localDirectory()).isEqualTo(Path.of(".budgetguard/keys"));
    }

    @Test
    void shouldChooseVaultWhenVaultAddrIsSet() {
        KeyServices.Selection selection = KeyServices.select(Map.of(
                "VAULT_ADDR", "https://vault.internal:8200", "VAULT_TOKEN", "hvs.0123456789"));

        assertThat(selection.kind()).isEqualTo(KeyServices.Kind.VAULT);
        assertThat(selection.vault().address()).isEqualTo("https://vault.internal:8200");
        assertThat(selection.vault().credentials()).isInstanceOf(VaultCredentials.Token.class);
        assertThat(selection.vault().transitMount()).isEqualTo("transit");
        assertThat(selection.vault().kvMount()).isEqualTo("secret");
    }

    @Test
    void shouldReadEveryVaultSetting() {
        KeyServices.Selection selection = KeyServices.select(Map.of(
                "BUDGETGUARD_KEY_SERVICE", "vault",
                "VAULT_ADDR", "https://vault.internal:8200/",
                "VAULT_ROLE_ID", "role-0123456789",
                "VAULT_SECRET_ID", "secret-0123456789",
                "VAULT_NAMESPACE", "team-a",
                "VAULT_TRANSIT_MOUNT", "bg/transit",
                "VAULT_KV_MOUNT", "kv",
                "VAULT_TIMEOUT_MS", "2500"));

        assertThat(selection.vault().address()).isEqualTo("https://vault.internal:8200");
        assertThat(selection.vault().credentials())
                .isEqualTo(new VaultCredentials.AppRole("role-0123456789", "secret-0123456789", "approle"));
        assertThat(selection.vault().namespace()).hasValue("team-a");
        assertThat(selection.vault().transitMount()).isEqualTo("bg/transit");
        assertThat(selection.vault().kvMount()).isEqualTo("kv");
        assertThat(selection.vault().timeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void shouldRefuseLocalKeysInProduction() {
        assertThatThrownBy(() -> KeyServices.select(Map.of(
                "BUDGETGUARD_KEY_SERVICE", "local", "BUDGETGUARD_ENV", "production")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BUDGETGUARD_KEY_SERVICE=local is refused when BUDGETGUARD_ENV=production");
    }

    @Test
    void shouldRequireVaultInProductionWhenNothingIsChosen() {
        assertThatThrownBy(() -> KeyServices.select(Map.of("BUDGETGUARD_ENV", "production")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VAULT_ADDR is required");
    }

    @Test
    void shouldReportEveryVaultProblemAtOnce() {
        assertThatThrownBy(() -> KeyServices.select(Map.of(
                "BUDGETGUARD_KEY_SERVICE", "vault",
                "VAULT_ROLE_ID", "role-0123456789",
                "VAULT_TRANSIT_MOUNT", "/bad/",
                "VAULT_TIMEOUT_MS", "soon")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4))
                .hasMessageContaining("VAULT_ADDR is required")
                .hasMessageContaining("VAULT_SECRET_ID is required")
                .hasMessageContaining("VAULT_TRANSIT_MOUNT")
                .hasMessageContaining("VAULT_TIMEOUT_MS");
    }

    @Test
    void shouldRefuseBothATokenAndAnAppRoleWithoutShowingThem() {
        assertThatThrownBy(() -> KeyServices.select(Map.of(
                "VAULT_ADDR", "http://127.0.0.1:8200",
                "VAULT_TOKEN", "hvs.token-0123456789",
                "VAULT_ROLE_ID", "role-0123456789",
                "VAULT_SECRET_ID", "secret-0123456789")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not both")
                .hasMessageNotContaining("hvs.token-0123456789")
                .hasMessageNotContaining("secret-0123456789");
    }

    @Test
    void shouldRequireVaultCredentials() {
        assertThatThrownBy(() -> KeyServices.select(Map.of("VAULT_ADDR", "http://127.0.0.1:8200")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VAULT_ROLE_ID + VAULT_SECRET_ID");
    }

    @Test
    void shouldRefuseAnUnknownKind() {
        assertThatThrownBy(() -> KeyServices.select(Map.of("BUDGETGUARD_KEY_SERVICE", "hsm")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be 'vault' or 'local', was 'hsm'");
    }

    @Test
    void shouldAddItsProblemsToAServicesOwnReport() {
        io.budgetguard.common.config.Env env = new io.budgetguard.common.config.Env("ledger-sink",
                Map.of("BUDGETGUARD_KEY_SERVICE", "vault"));
        env.required("DATABASE_URL", "JDBC URL");

        KeyServices.read(env);

        assertThatThrownBy(env::validate)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ledger-sink configuration is invalid")
                .hasMessageContaining("DATABASE_URL is required")
                .hasMessageContaining("VAULT_ADDR is required");
    }

    @Test
    void shouldOpenTheLocalKeyService() {
        try (KeyService service = KeyServices.fromEnv(Map.of(
                "BUDGETGUARD_KEY_SERVICE", "local", "BUDGETGUARD_LOCAL_KEYS_DIR", directory.toString()))) {
            assertThat(service).isInstanceOf(LocalKeyService.class);
            assertThat(((LocalKeyService) service).file().getParent()).isEqualTo(directory.toAbsolutePath());
        }
    }

    @Test
    void shouldConnectTheVaultKeyService() {
        try (VaultTestDouble vault = VaultTestDouble.start()) {
            VaultTestDouble.AppRole role = vault.addAppRole(Duration.ofMinutes(5));
            try (KeyService service = KeyServices.fromEnv(Map.of(
                    "VAULT_ADDR", vault.address(),
                    "VAULT_ROLE_ID", role.roleId(),
                    "VAULT_SECRET_ID", role.secretId()))) {
                assertThat(service).isInstanceOf(VaultKeyService.class);
                assertThat(((VaultKeyService) service).loginCount()).isEqualTo(1);
            }
        }
    }
}
