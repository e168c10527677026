package io.budgetguard.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedSecretVerifierTest {

    private static final SecretHasher FAST = new SecretHasher(4);
    private final PresentedKey key = ApiKeys.generate();
    private final String hash = FAST.hash(key.secret());

    @Test
    void shouldAcceptTheRightSecretWithOneBcryptCheckOnly() {
        CachedSecretVerifier verifier = new CachedSecretVerifier(FAST::verify, 2);

        boolean first = verifier.verify(key.keyId(), hash, key.secret());
        boolean second = verifier.verify(key.keyId(), hash, key.secret());

        assertThat(first).isTrue();
        assertThat(second).isTrue();
        assertThat(verifier.slowVerifications()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAWrongSecretAndRememberTheRefusal() {
        CachedSecretVerifier verifier = new CachedSecretVerifier(FAST::verify, 2);
        String wrong = ApiKeys.generate().secret();

        boolean first = verifier.verify(key.keyId(), hash, wrong);
        boolean second = verifier.verify(key.keyId(), hash, wrong);

        assertThat(first).isFalse();
        assertThat(second).isFalse();
        assertThat(verifier.slowVerifications()).isEqualTo(1);
    }

    @Test
    void shouldCheckAgainWhenTheStoredHashChanged() {
        CachedSecretVerifier verifier = new CachedSecretVerifier(FAST::verify, 2);
        verifier.verify(key.keyId(), hash, key.secret());
        String otherSecret = ApiKeys.generate().secret();

        boolean oldSecretAgainstNewHash = verifier.verify(key.keyId(), FAST.hash(otherSecret), key.secret());

        assertThat(oldSecretAgainstNewHash).isFalse();
        assertThat(verifier.slowVerifications()).isEqualTo(2);
    }

    @Test
    void shouldNeedNoBcryptForARememberedSecret() {
        CachedSecretVerifier verifier = new CachedSecretVerifier(FAST::verify, 2);
        verifier.remember(key.keyId(), key.secret(), hash);

        assertThat(verifier.verify(key.keyId(), hash, key.secret())).isTrue();
        assertThat(verifier.slowVerifications()).isZero();
    }

    @Test
    void shouldRefuseAMissingHashWithoutChecking() {
        CachedSecretVerifier verifier = new CachedSecretVerifier(FAST::verify, 2);

        assertThat(verifier.verify(key.keyId(), null, key.secret())).isFalse();
        assertThat(verifier.slowVerifications()).isZero();
    }

    @Test
    void shouldThrowBusyInsteadOfQueueingWhenEveryPermitIsTaken() throws Exception {
        CountDownLatch checking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CachedSecretVerifier verifier = new CachedSecretVerifier((secret, stored) -> {
            checking.countDown();
            await(release);
            return false;
        }, 1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> slow = executor.submit(() -> verifier.verify(key.keyId(), hash, "first"));
            assertThat(checking.await(5, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> verifier.verify(key.keyId(), hash, "second"))
                    .isInstanceOf(CachedSecretVerifier.VerifierBusyException.class)
                    .hasMessageNotContaining("second");
            release.countDown();
            assertThat(slow.get(5, TimeUnit.SECONDS)).isFalse();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldShareOneCheckBetweenConcurrentRequestsWithTheSameSecret() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        CountDownLatch checking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CachedSecretVerifier verifier = new CachedSecretVerifier((secret, stored) -> {
            checks.incrementAndGet();
            checking.countDown();
            await(release);
            return true;
        }, 1);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> first = executor.submit(() -> verifier.verify(key.keyId(), hash, key.secret()));
            assertThat(checking.await(5, TimeUnit.SECONDS)).isTrue();
            Future<Boolean> second = executor.submit(() -> verifier.verify(key.keyId(), hash, key.secret()));
            release.countDown();

            assertThat(first.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(second.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(checks).hasValue(1);
        } finally {
            executor.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
