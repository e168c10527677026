package io.budgetguard.cli.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.cli.BudgetGuardCommand;
import io.budgetguard.cli.admin.AdminClient;
import io.budgetguard.cli.dev.Pipeline;
import io.budgetguard.infra.testing.SharedStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** {@code budgetguard load} in-process against the real pipeline on the shared stack. */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadCommandTest {

    private Pipeline pipeline;
    private String apiKey;

    @BeforeAll
    void start(@org.junit.jupiter.api.io.TempDir Path stateDir) {
        pipeline = Pipeline.start(SharedStack.stack(), SharedStack.createDatabase("load"), Pipeline.Ports.free(),
                stateDir, true);
        AdminClient admin = new AdminClient(pipeline.ingestUrl(), pipeline.settings().adminKey());
        String tenant = SharedStack.unique("load");
        admin.createTenant(tenant, "Load test");
        apiKey = admin.createApiKey(tenant, "developer").apiKey();
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private record Run(int exitCode, String out, String err) {}

    private Run load(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = BudgetGuardCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 1];
        full[0] = "load";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = command.execute(full);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldAcknowledgeEveryEventAndItsDuplicates() {
        Run run = load("--url", pipeline.ingestUrl(), "--api-key", apiKey, "--events", "400", "--batch", "50",
                "--concurrency", "2", "--duplicates", "0.1", "--models", "openai/gpt-4o,anthropic/claude-sonnet-4-5");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("400 distinct").contains("rejected=0 lost=0").contains("budget status ok")
                .doesNotContain(apiKey);
        String summary = run.out().lines().filter(l -> l.contains("done in")).findFirst().orElseThrow();
        long sent = Long.parseLong(summary.replaceAll(".*: (\\d+) events sent.*", "$1"));
        long acked = Long.parseLong(summary.replaceAll(".*acked=(\\d+).*", "$1"));
        assertThat(sent).isGreaterThan(400);
        assertThat(acked).isEqualTo(sent);
    }

    @Test
    void shouldExitNonZeroWhenEventsAreNotAcknowledged() {
        String wrongSecret = apiKey.substring(0, apiKey.indexOf('.') + 1) + "A".repeat(43);

        Run run = load("--url", pipeline.ingestUrl(), "--api-key", wrongSecret, "--events", "20", "--batch", "10");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("acked=0 rejected=20").contains("first rejection").contains("401")
                .doesNotContain(wrongSecret);
    }
}
