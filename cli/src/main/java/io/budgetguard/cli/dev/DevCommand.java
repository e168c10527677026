package io.budgetguard.cli.dev;

import io.budgetguard.cli.service.ServiceRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = {
            "Run the whole system in one process on this machine: a KRaft broker, PostgreSQL, the Apicurio schema",
            "registry, the local key material and the three services; seeds tenant 'demo' with a developer key,",
            "a monthly budget and the default prices; writes .budgetguard/dev.env. Stops cleanly on Ctrl-C.",
            "Every run starts from empty state (see docs/DECISIONS.md D6)."
        })
public final class DevCommand implements Callable<Integer> {

    @Option(names = "--infra-only", description = "Start only the broker, PostgreSQL, registry and key material; run the services yourself (bin/budgetguard ingest|streams|sink after loading dev.env).")
    boolean infraOnly;

    @Option(names = "--demo", description = "Also run a load generator that shows spend rising and alerts firing.")
    boolean demo;

    @Option(names = "--port-offset", defaultValue = "0", description = "Add N to every default port (ingest 8080, streams 8081, ledger 8082, Kafka 9092, registry 8085, PostgreSQL 5433).")
    int portOffset;

    @Option(names = "--control-port", defaultValue = "-1", description = {
        "Also serve POST /control/broker/restart on 127.0.0.1:PORT (0 = any free port; X-Admin-Key required),",
        "written to dev.env as DEV_CONTROL_URL: restarts the broker while the rest keeps running (chaos runs). Off by default."})
    int controlPort;

    @Option(names = "--home", description = "State directory (default: $BUDGETGUARD_HOME or ./.budgetguard).")
    Path home;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path dir = home != null ? home : Path.of(System.getenv().getOrDefault("BUDGETGUARD_HOME", ".budgetguard"));
        DevStack stack = DevStack.start(new DevStack.Options(dir.toAbsolutePath(), portOffset, !infraOnly, controlPort), spec.commandLine().getOut());
        DemoLoad demoLoad = demo ? DemoLoad.start(stack, spec.commandLine().getOut()) : null;
        ServiceRunner.runUntilStopped(stack, demoLoad);
        return 0;
    }
}
