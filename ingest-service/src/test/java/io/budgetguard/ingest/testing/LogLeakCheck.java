package io.budgetguard.ingest.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test run when any secret the tests created or sent ({@link TestSecrets}) appears in anything the test JVM
 * logged ({@link CapturedLog}). Registered for every test class by JUnit's extension auto-detection
 * ({@code junit-platform.properties}, {@code META-INF/services}); the check runs once, when JUnit closes the root
 * context after the last test class, and its failure is reported against the whole run.
 */
public final class LogLeakCheck implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.create(LogLeakCheck.class))
                .getOrComputeIfAbsent(FinalCheck.class, key -> new FinalCheck(), FinalCheck.class);
    }

    /** Throws an {@link AssertionError} listing every leak (masked), if any. */
    public static void assertNoLeaks(Collection<String> lines, Set<String> secrets, Collection<String> lateLeaks) {
        List<String> leaks = new ArrayList<>(lateLeaks);
        LeakScanner.scan(lines, secrets).forEach(leak -> leaks.add(leak.toString()));
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " logged line(s) hold a secret created by the tests (" + secrets.size()
                    + " secrets checked against " + lines.size() + " lines):\n  " + String.join("\n  ", leaks));
        }
    }

    /** Closed by JUnit with the root store, i.e. after every test class of the run. */
    @SuppressWarnings("deprecation")
    private static final class FinalCheck implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            List<String> lines = CapturedLog.lines();
            Set<String> secrets = TestSecrets.all();
            assertNoLeaks(lines, secrets, CapturedLog.lateLeaks());
            // stdout, not the log: this line must not be scanned by itself, and the run's output should show the check ran
            System.out.println("LogLeakCheck: " + secrets.size() + " secrets created or sent by the tests, none in the "
                    + lines.size() + " logged lines");
        }
    }
}
