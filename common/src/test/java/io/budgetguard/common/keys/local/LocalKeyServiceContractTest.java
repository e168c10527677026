package io.budgetguard.common.keys.local;

import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyServiceContractTest extends KeyServiceContractTest {

    @TempDir
    Path directory;

    private LocalKeyService local;

    @Override
    protected KeyService openKeyService() {
        local = LocalKeyService.open(directory.resolve("keys"), "dev");
        return local;
    }

    @Override
    protected void createSigningKey(String name) {
        local.createKey(name, LocalKeyService.KeyType.ED25519);
    }

    @Override
    protected void createAesKey(String name) {
        local.createKey(name, LocalKeyService.KeyType.AES256_GCM96);
    }

    @Override
    protected void rotateKey(String name) {
        local.rotateKey(name);
    }

    @Override
    protected void putSecret(String path, Map<String, String> values) {
        local.putSecret(path, values);
    }
}
