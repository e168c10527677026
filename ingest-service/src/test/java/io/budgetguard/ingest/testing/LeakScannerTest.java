package io.budgetguard.ingest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.budgetguard.common.auth.AdminKeyVerifier;
import io.budgetguard.common.auth.ApiKeys;
import io.budgetguard.common.auth.PresentedKey;
import io.budgetguard.common.secrets.Secrets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The log scanner itself, with planted secrets that are never logged nor registered (they would fail the real check
 * at the end of the run).
 */
class LeakScannerTest {

    private final PresentedKey key = ApiKeys.generate();
    private final String adminKey = AdminKeyVerifier.newAdminKey();

    @Test
    void shouldFindAPlantedApiKeyAnywhereInALine() {
        List<String> lines = List.of("INFO nothing here", "WARN auth failed for Bearer " + key.token() + " from 10.0.0.1",
                "DEBUG secret=" + key.secret() + ";");

        assertThat(LeakScanner.scan(lines, Set.of(key.secret()))).hasSize(2);
    }

    @Test
    void shouldFindAPlantedAdminKey() {
        assertThat(LeakScanner.scan(List.of("X-Admin-Key: " + adminKey), Set.of(adminKey))).hasSize(1);
    }

    @Test
    void shouldNotMistakeMaskedFormsOrOtherKeysForLeaks() {
        List<String> lines = List.of("key " + Secrets.mask(key.token()), "id " + key.keyId(),
                "other " + ApiKeys.generate().token(), "hash " + AdminKeyVerifier.sha256Hex(adminKey));

        assertThat(LeakScanner.scan(lines, Set.of(key.secret(), adminKey))).isEmpty();
    }

    @Test
    void shouldReportALeakWithoutRepeatingTheSecret() {
        List<LeakScanner.Leak> leaks = LeakScanner.scan(List.of("token=" + key.token()), Set.of(key.secret()));

        assertThat(leaks).singleElement().satisfies(leak -> {
            assertThat(leak.toString()).doesNotContain(key.secret()).contains(Secrets.mask(key.secret()));
        });
    }

    @Test
    void shouldFailTheFinalCheckWhenAPlantedSecretWasLogged() {
        List<String> captured = List.of("INFO started", "ERROR request failed: Authorization=Bearer " + key.token());

        AssertionError failure = catchThrowableOfType(AssertionError.class,
                () -> LogLeakCheck.assertNoLeaks(captured, Set.of(key.secret(), adminKey), List.of()));

        assertThat(failure).hasMessageContaining("1 logged line(s) hold a secret");
        assertThat(failure.getMessage()).doesNotContain(key.secret());
    }

    @Test
    void shouldPassTheFinalCheckWhenNoSecretWasLogged() {
        assertThatCode(() -> LogLeakCheck.assertNoLeaks(List.of("INFO started"), Set.of(key.secret()), List.of()))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldCaptureEveryLoggedLineWithItsExceptions() {
        String marker = "capture-check-" + System.nanoTime();

        // DEBUG: captured, but kept off the console
        LoggerFactory.getLogger("io.budgetguard.ingest.Probe").debug("{} logged", marker,
                new IllegalStateException("cause of " + marker));

        assertThat(CapturedLog.lines()).anySatisfy(line -> assertThat(line)
                .contains(marker + " logged", "IllegalStateException: cause of " + marker));
    }

    @Test
    void shouldCaptureDebugLinesOfBudgetGuardThatTheConsoleDoesNotShow() {
        String marker = "debug-check-" + System.nanoTime();

        LoggerFactory.getLogger("io.budgetguard.ingest.Probe").debug(marker);

        assertThat(CapturedLog.lines()).anySatisfy(line -> assertThat(line).contains(marker));
    }
}
