package io.budgetguard.common.keys.vault;

import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceContractTest;
import io.budgetguard.common.keys.VaultAdmin;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The key service contract against a real Vault, run whenever {@code VAULT_ADDR} and {@code VAULT_TOKEN} are set,
 * e.g. {@code vault server -dev} after {@code infra/vault/setup.sh}. The token must be allowed to create, rotate and
 * delete Transit keys and write KV secrets (a dev root token is). Honours {@code VAULT_TRANSIT_MOUNT},
 * {@code VAULT_KV_MOUNT} and {@code VAULT_NAMESPACE}. Creates keys named {@code contract-*} and
 * {@code budgetguard-tenant-contract-*} and deletes them afterwards.
 */
@EnabledIfEnvironmentVariable(named = "VAULT_ADDR", matches = ".+")
@EnabledIfEnvironmentVariable(named = "VAULT_TOKEN", matches = ".+")
class VaultKeyServiceAgainstRealVaultTest extends KeyServiceContractTest {

    private static final String ADDRESS = System.getenv("VAULT_ADDR");
    private static final String TOKEN = System.getenv("VAULT_TOKEN");
    private static final String TRANSIT = env("VAULT_TRANSIT_MOUNT", VaultKeyServiceConfig.DEFAULT_TRANSIT_MOUNT);
    private static final String KV = env("VAULT_KV_MOUNT", VaultKeyServiceConfig.DEFAULT_KV_MOUNT);

    private final VaultAdmin admin = new VaultAdmin(ADDRESS, TOKEN, TRANSIT, KV);

    @Override
    protected KeyService openKeyService() {
        return VaultKeyService.connect(VaultKeyServiceConfig.of(ADDRESS, new VaultCredentials.Token(TOKEN))
                .withTransitMount(TRANSIT)
                .withKvMount(KV)
                .withNamespace(System.getenv("VAULT_NAMESPACE")));
    }

    @Override
    protected void createSigningKey(String name) {
        admin.createKey(name, "ed25519");
    }

    @Override
    protected void createAesKey(String name) {
        admin.createKey(name, "aes256-gcm96");
    }

    @Override
    protected void rotateKey(String name) {
        admin.rotateKey(name);
    }

    @Override
    protected void putSecret(String path, Map<String, String> values) {
        admin.putSecret(path, values);
    }

    private static String env(String name, String defaultValue) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank()).orElse(defaultValue);
    }
}
