package io.budgetguard.common.keys.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.budgetguard.common.keys.CapturedLogs;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyNotFoundException;
import io.budgetguard.common.keys.KeyServiceAccessDeniedException;
import io.budgetguard.common.keys.KeyServiceAuthenticationException;
import io.budgetguard.common.keys.KeyServiceRequestException;
import io.budgetguard.common.keys.KeyServiceUnavailableException;
import io.budgetguard.common.keys.VaultTestDouble;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is specific to Vault: authentication, token life cycle, error mapping; against the Vault test double. */
class VaultKeyServiceTest {

    private static final byte[] DATA = "data".getBytes(StandardCharsets.UTF_8);

    private VaultTestDouble vault;
    private CapturedLogs logs;
    private VaultKeyService service;

    @BeforeEach
    void start() {
        logs = new CapturedLogs();
        vault = VaultTestDouble.start();
        vault.createKey(KeyNames.HMAC_KEY, "aes256-gcm96");
        vault.createKey(KeyNames.LEDGER_SIGNING_KEY, "ed25519");
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        vault.close();
        String logged = logs.text();
        logs.close();
        for (String token : vault.issuedTokens()) {
            assertThat(logged).as("logs").doesNotContain(token);
        }
        assertThat(logged).doesNotContain(vault.rootToken());
    }

    private VaultKeyService connectWithAppRole(Duration tokenTtl) {
        VaultTestDouble.AppRole role = vault.addAppRole(tokenTtl);
        service = VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.AppRole(role.roleId(), role.secretId())));
        return service;
    }

    @Test
    void shouldLogInWithAppRoleWhenConnecting() {
        connectWithAppRole(Duration.ofMinutes(5));

        assertThat(service.loginCount()).isEqualTo(1);
        assertThat(vault.loginCount()).isEqualTo(1);
        assertThat(service.hmac(KeyNames.HMAC_KEY, DATA)).hasSize(32);
    }

    @Test
    void shouldRenewTheTokenBeforeItExpires() {
        connectWithAppRole(Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> service.renewalCount() >= 1);

        assertThat(vault.renewCount()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldKeepWorkingPastTheTokenTtlThanksToRenewal() {
        connectWithAppRole(Duration.ofSeconds(2));

        // two renewals at two thirds of a 2 s lease take longer than the lease itself
        await().atMost(Duration.ofSeconds(15)).until(() -> service.renewalCount() >= 2);

        assertThat(service.hmac(KeyNames.HMAC_KEY, DATA)).hasSize(32);
    }

    @Test
    void shouldLogInAgainWhenRenewalFails() {
        connectWithAppRole(Duration.ofSeconds(1));

        vault.revokeIssuedTokens();

        await().atMost(Duration.ofSeconds(10)).until(() -> service.loginCount() >= 2);
        assertThat(service.hmac(KeyNames.HMAC_KEY, DATA)).hasSize(32);
    }

    @Test
    void shouldLogInAgainWhenARequestFindsTheTokenRevoked() {
        connectWithAppRole(Duration.ofMinutes(5));
        byte[] before = service.hmac(KeyNames.HMAC_KEY, DATA);

        vault.revokeIssuedTokens();

        assertThat(service.hmac(KeyNames.HMAC_KEY, DATA)).isEqualTo(before);
        assertThat(service.loginCount()).isEqualTo(2);
    }

    @Test
    void shouldReportAccessDeniedWithoutRevealingCredentials() {
        VaultTestDouble.AppRole role = vault.addAppRole(Duration.ofMinutes(5));
        service = VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.AppRole(role.roleId(), role.secretId())));
        vault.deny("transit/hmac/");

        assertThatThrownBy(() -> service.hmac(KeyNames.HMAC_KEY, DATA))
                .isInstanceOf(KeyServiceAccessDeniedException.class)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("permission denied")
                .satisfies(e -> {
                    for (String token : vault.issuedTokens()) {
                        assertThat(e.getMessage()).doesNotContain(token);
                    }
                    assertThat(e.getMessage()).doesNotContain(role.secretId()).doesNotContain(role.roleId());
                });
    }

    @Test
    void shouldRetryAFailedRequestOnlyOnceAfterLoggingInAgain() {
        connectWithAppRole(Duration.ofMinutes(5));
        vault.deny("transit/hmac/");

        assertThatThrownBy(() -> service.hmac(KeyNames.HMAC_KEY, DATA))
                .isInstanceOf(KeyServiceAccessDeniedException.class);
        assertThat(service.loginCount()).isEqualTo(2);
    }

    @Test
    void shouldRejectAWrongAppRoleSecretWithoutRevealingIt() {
        VaultTestDouble.AppRole role = vault.addAppRole(Duration.ofMinutes(5));
        String wrongSecret = "wrong-secret-id-0123456789";

        assertThatThrownBy(() -> VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.AppRole(role.roleId(), wrongSecret))))
                .isInstanceOf(KeyServiceAuthenticationException.class)
                .hasMessageContaining("VAULT_SECRET_ID")
                .hasMessageNotContaining(wrongSecret)
                .hasMessageNotContaining(role.roleId());
    }

    @Test
    void shouldRejectAnInvalidTokenWithoutRevealingIt() {
        String token = "hvs.not-a-real-token-0123456789";

        assertThatThrownBy(() -> VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.Token(token))))
                .isInstanceOf(KeyServiceAuthenticationException.class)
                .hasMessageContaining("403")
                .hasMessageNotContaining(token);
    }

    @Test
    void shouldWorkWithAGivenTokenWithoutLoggingIn() {
        service = VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.Token(vault.rootToken())));

        assertThat(service.sign(KeyNames.LEDGER_SIGNING_KEY, DATA).keyVersion()).isEqualTo(1);
        assertThat(service.loginCount()).isZero();
        assertThat(vault.loginCount()).isZero();
    }

    @Test
    void shouldReportVaultUnavailableWhenNothingListens() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        assertThatThrownBy(() -> VaultKeyService.connect(VaultKeyServiceConfig.of("http://127.0.0.1:" + closedPort,
                new VaultCredentials.AppRole("role", "secret-id-value"))))
                .isInstanceOf(KeyServiceUnavailableException.class)
                .hasMessageNotContaining("secret-id-value");
    }

    @Test
    void shouldNotCreateAMissingSigningKey() {
        connectWithAppRole(Duration.ofMinutes(5));

        assertThatThrownBy(() -> service.sign("budgetguard-ledger-missing", DATA))
                .isInstanceOf(KeyNotFoundException.class)
                .hasMessageContaining("budgetguard-ledger-missing");
        assertThat(vault.hasKey("budgetguard-ledger-missing")).isFalse();
    }

    @Test
    void shouldNotCreateAMissingNonTenantWrappingKey() {
        connectWithAppRole(Duration.ofMinutes(5));

        assertThatThrownBy(() -> service.newDataKey("some-other-key"))
                .isInstanceOf(KeyNotFoundException.class);
        assertThat(vault.hasKey("some-other-key")).isFalse();
    }

    @Test
    void shouldCreateATenantKeyInVaultOnFirstUse() {
        connectWithAppRole(Duration.ofMinutes(5));
        String key = KeyNames.tenantDataKey("acme");

        service.newDataKey(key);

        assertThat(vault.hasKey(key)).isTrue();
    }

    @Test
    void shouldSendTheNamespace() {
        VaultTestDouble.AppRole role = vault.addAppRole(Duration.ofMinutes(5));
        service = VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.AppRole(role.roleId(), role.secretId())).withNamespace("team-a"));

        service.hmac(KeyNames.HMAC_KEY, DATA);

        assertThat(vault.lastNamespace()).isEqualTo("team-a");
    }

    @Test
    void shouldNameTheMountWhenNoEngineIsMountedThere() {
        VaultTestDouble.AppRole role = vault.addAppRole(Duration.ofMinutes(5));
        service = VaultKeyService.connect(VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.AppRole(role.roleId(), role.secretId())).withTransitMount("not-transit"));

        assertThatThrownBy(() -> service.sign(KeyNames.LEDGER_SIGNING_KEY, DATA))
                .isInstanceOf(KeyServiceRequestException.class)
                .hasMessageContaining("VAULT_TRANSIT_MOUNT");
    }

    @Test
    void shouldRevokeItsOwnTokenWhenClosed() {
        connectWithAppRole(Duration.ofMinutes(5));
        assertThat(vault.liveTokenCount()).isEqualTo(1);

        service.close();

        assertThat(vault.liveTokenCount()).isZero();
    }

    @Test
    void shouldRefuseRequestsOnceClosed() {
        connectWithAppRole(Duration.ofMinutes(5));
        service.close();

        assertThatThrownBy(() -> service.hmac(KeyNames.HMAC_KEY, DATA))
                .isInstanceOf(KeyServiceUnavailableException.class);
    }

    @Test
    void shouldMaskCredentialsInItsConfiguration() {
        VaultKeyServiceConfig config = VaultKeyServiceConfig.of(vault.address(),
                new VaultCredentials.AppRole("role-id-0123456789", "secret-id-0123456789"));

        assertThat(config.toString()).doesNotContain("role-id-0123456789").doesNotContain("secret-id-0123456789");
        assertThat(new VaultCredentials.Token("hvs.token-0123456789").toString()).doesNotContain("hvs.token-0123456789");
    }
}
