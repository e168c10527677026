package io.budgetguard.common.keys.vault;

import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceContractTest;
import io.budgetguard.common.keys.VaultAdmin;
import io.budgetguard.common.keys.VaultTestDouble;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The key service contract, for {@link VaultKeyService} logged in with AppRole to the Vault test double. */
class VaultKeyServiceAgainstTestDoubleTest extends KeyServiceContractTest {

    private static VaultTestDouble vault;
    private static VaultAdmin admin;
    private static VaultTestDouble.AppRole appRole;

    @BeforeAll
    static void startVault() {
        vault = VaultTestDouble.start();
        admin = new VaultAdmin(vault.address(), vault.rootToken());
        appRole = vault.addAppRole(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopVault() {
        vault.close();
    }

    @Override
    protected KeyService openKeyService() {
        return VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.AppRole(appRole.roleId(), appRole.secretId())));
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
}
