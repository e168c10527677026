package io.budgetguard.common.keys.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.budgetguard.common.keys.CapturedLogs;
import io.budgetguard.common.keys.DataKey;
import io.budgetguard.common.keys.Ed25519Verifier;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyNotFoundException;
import io.budgetguard.common.keys.KeyServiceRequestException;
import io.budgetguard.common.keys.LocalKeyServiceRefusedException;
import io.budgetguard.common.keys.Signature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyServiceTest {

    private static final byte[] MESSAGE = "checkpoint".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path directory;

    @Test
    void shouldRefuseToOpenInProduction() {
        for (String env : new String[] {"production", "PRODUCTION", " prod "}) {
            assertThatThrownBy(() -> LocalKeyService.open(directory, env))
                    .as(env)
                    .isInstanceOf(LocalKeyServiceRefusedException.class)
                    .hasMessageContaining("BUDGETGUARD_ENV")
                    .hasMessageContaining("vault");
        }
        assertThat(directory.resolve(LocalKeyFile.FILE_NAME)).doesNotExist();
    }

    @Test
    void shouldOpenOutsideProduction() {
        for (String env : new String[] {null, "", "dev", "staging"}) {
            LocalKeyService.open(directory, env).close();
        }
    }

    @Test
    void shouldWarnLoudlyWhenOpened() {
        try (CapturedLogs logs = new CapturedLogs()) {
            LocalKeyService.open(directory, "dev").close();

            assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                    .startsWith("WARN")
                    .contains("LOCAL KEY SERVICE — NOT FOR PRODUCTION"));
        }
    }

    @Test
    void shouldKeepTheKeyFileReadableByItsOwnerOnly() throws Exception {
        LocalKeyService service = LocalKeyService.open(directory.resolve("keys"), "dev");
        service.sign("k", MESSAGE);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(service.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("keys"))))
                .isEqualTo("rwx------");
    }

    @Test
    void shouldRestrictAKeyFileOthersCanRead() throws Exception {
        LocalKeyService.open(directory, "dev").sign("k", MESSAGE);
        Path file = directory.resolve(LocalKeyFile.FILE_NAME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        LocalKeyService.open(directory, "dev").close();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void shouldKeepKeysAcrossRestarts() {
        LocalKeyService first = LocalKeyService.open(directory, "dev");
        Signature signature = first.sign(KeyNames.LEDGER_SIGNING_KEY, MESSAGE);
        DataKey dataKey = first.newDataKey(KeyNames.tenantDataKey("acme"));
        first.close();

        LocalKeyService second = LocalKeyService.open(directory, "dev");

        assertThat(second.verify(KeyNames.LEDGER_SIGNING_KEY, MESSAGE, signature.value())).isTrue();
        assertThat(second.unwrapDataKey(KeyNames.tenantDataKey("acme"), dataKey.wrapped()))
                .isEqualTo(dataKey.plaintext());
    }

    @Test
    void shouldSeeKeysAnotherProcessCreatedInTheSameDirectory() {
        LocalKeyService ingest = LocalKeyService.open(directory, "dev");
        LocalKeyService sink = LocalKeyService.open(directory, "dev");

        Signature signature = ingest.sign("shared", MESSAGE);

        assertThat(Ed25519Verifier.verify(sink.publicKeys("shared"), MESSAGE, signature.value())).isTrue();
    }

    @Test
    void shouldSeeARotationMadeByAnotherInstance() {
        LocalKeyService signer = LocalKeyService.open(directory, "dev");
        LocalKeyService operator = LocalKeyService.open(directory, "dev");
        signer.sign("ledger", MESSAGE);

        operator.rotateKey("ledger");

        assertThat(signer.sign("ledger", MESSAGE).keyVersion()).isEqualTo(2);
        assertThat(signer.publicKeys("ledger")).containsOnlyKeys(1, 2);
    }

    @Test
    void shouldNotRecreateADeletedKeyWhenUnwrapping() {
        LocalKeyService service = LocalKeyService.open(directory, "dev");
        String key = KeyNames.tenantDataKey("gone");
        DataKey dataKey = service.newDataKey(key);
        service.deleteKey(key);

        assertThatThrownBy(() -> service.unwrapDataKey(key, dataKey.wrapped()))
                .isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> service.unwrapDataKey(key, dataKey.wrapped()))
                .isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void shouldEraseTheDeletedKeyFromTheFile() throws Exception {
        LocalKeyService service = LocalKeyService.open(directory, "dev");
        String key = KeyNames.tenantDataKey("gone");
        service.newDataKey(key);

        service.deleteKey(key);

        assertThat(Files.readString(service.file())).doesNotContain(key);
    }

    @Test
    void shouldRefuseToSignWithAnEncryptionKey() {
        LocalKeyService service = LocalKeyService.open(directory, "dev");
        service.newDataKey("wrapping");

        assertThatThrownBy(() -> service.sign("wrapping", MESSAGE))
                .isInstanceOf(KeyServiceRequestException.class)
                .hasMessageContaining("aes256-gcm96");
    }

    @Test
    void shouldWrapDataKeysInVaultsLayout() {
        LocalKeyService service = LocalKeyService.open(directory, "dev");

        DataKey dataKey = service.newDataKey("wrapping");

        // 12-byte nonce, 32-byte key, 16-byte tag
        String base64 = dataKey.wrapped().substring("vault:v1:".length());
        assertThat(Base64.getDecoder().decode(base64)).hasSize(12 + 32 + 16);
    }

    @Test
    void shouldLogNoKeyMaterial() throws Exception {
        try (CapturedLogs logs = new CapturedLogs()) {
            LocalKeyService service = LocalKeyService.open(directory, "dev");
            DataKey dataKey = service.newDataKey("wrapping");
            service.sign("signing", MESSAGE);
            service.rotateKey("signing");

            String logged = logs.text();
            assertThat(logged).doesNotContain(Base64.getEncoder().encodeToString(dataKey.plaintext()));
            String file = Files.readString(service.file());
            for (String line : file.split("\n")) {
                if (line.contains("\"key\"") || line.contains("\"hmacKey\"")) {
                    String value = line.substring(line.indexOf(':') + 1).replaceAll("[\" ,]", "");
                    assertThat(logged).doesNotContain(value);
                }
            }
        }
    }

    @Test
    void shouldReadSecretsItWasGiven() {
        LocalKeyService service = LocalKeyService.open(directory, "dev");
        service.putSecret("budgetguard/admin", java.util.Map.of("key_sha256", "abc"));

        assertThat(LocalKeyService.open(directory, "dev").readSecret("budgetguard/admin"))
                .hasValue(java.util.Map.of("key_sha256", "abc"));
    }
}
