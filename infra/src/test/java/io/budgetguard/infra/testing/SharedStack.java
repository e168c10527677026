package io.budgetguard.infra.testing;

import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.local.LocalStack;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link LocalStack} per test JVM (broker, PostgreSQL, Apicurio Registry on free ports, data under
 * {@code target/}), started on first use and stopped when the test plan ends.
 *
 * <pre>{@code
 * @ExtendWith(SharedStack.class)
 * class SomethingIT {
 *     @Test void should…() {
 *         String bootstrap = SharedStack.stack().kafkaBootstrap();
 *         String jdbcUrl = SharedStack.createDatabase("ledger");
 *         String tenant = SharedStack.unique("tenant");
 *     }
 * }
 * }</pre>
 *
 * A {@code LocalStack} parameter of a test, constructor or lifecycle method is injected too. Calling
 * {@link #stack()} without the extension also works; the stack is then stopped by a JVM shutdown hook.
 */
public final class SharedStack implements BeforeAllCallback, ParameterResolver {

    private static final Object LOCK = new Object();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static volatile LocalStack stack;

    /** Starts the stack if needed and ties its end to the end of the test plan. */
    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(StackCloser.class, key -> new StackCloser(stack()), StackCloser.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        beforeAll(context);
        return stack();
    }

    /** The shared stack, started on the first call (a few seconds), then returned at once. */
    public static LocalStack stack() {
        LocalStack current = stack;
        if (current != null) {
            return current;
        }
        synchronized (LOCK) {
            if (stack == null) {
                stack = startStack();
            }
            return stack;
        }
    }

    /**
     * Creates a new, empty database on the shared PostgreSQL and returns its JDBC URL (no credentials in it: connect
     * as {@code stack().postgres().superuser()} / {@code superuserPassword()}). The name is {@code prefix} plus a
     * unique suffix, so each test class gets its own schema state.
     */
    public static String createDatabase(String prefix) {
        String name = (prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_" + uniqueSuffix());
        if (!Character.isLetter(name.charAt(0))) {
            name = "db_" + name;
        }
        if (name.length() > 63) {
            name = name.substring(name.length() - 63);
        }
        EmbeddedPostgres postgres = stack().postgres();
        postgres.createDatabaseIfMissing(name);
        return postgres.jdbcUrl(name);
    }

    /** {@code prefix-<8 random [a-z0-9]>}, for topic, tenant, group and key names that must not collide. */
    public static String unique(String prefix) {
        return prefix + "-" + uniqueSuffix();
    }

    /** 8 random characters {@code [a-z0-9]}. */
    public static String uniqueSuffix() {
        char[] suffix = new char[8];
        for (int i = 0; i < suffix.length; i++) {
            suffix[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(suffix);
    }

    private static LocalStack startStack() {
        // Surefire runs tests in the module directory: keep the data in its target/, one directory per JVM.
        Path dataDir = Path.of("target", "shared-stack-" + ProcessHandle.current().pid()).toAbsolutePath();
        LocalStack started = LocalStack.start(LocalStack.Options.ephemeral(dataDir));
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-stack-shutdown"));
        return started;
    }

    /**
     * Closes the stack when JUnit closes the root store, i.e. when the test plan (the JVM's tests) ends. JUnit 5.13+
     * closes AutoCloseable store values; CloseableResource keeps older versions working.
     */
    @SuppressWarnings("deprecation")
    private record StackCloser(LocalStack stack) implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            synchronized (LOCK) {
                if (SharedStack.stack == stack) {
                    SharedStack.stack = null;
                }
            }
            stack.close();
        }
    }
}
