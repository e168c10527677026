package io.budgetguard.cli.chaos;

import io.budgetguard.cli.dev.DevStack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code budgetguard chaos load|check}: the Java half of bench/chaos/run.sh (the script starts and kills processes). */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"The chaos run's load generator and checker; bench/chaos/run.sh drives them (docs/RELIABILITY.md)."},
        subcommands = {ChaosCommand.Load.class, ChaosCommand.Check.class})
public final class ChaosCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Prices defaultPrices() {
        return Prices.fromCatalog(DevStack.defaultCatalog());
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = {"Create the seed's tenants and budgets (admin API), send its events through the gateway client",
                "to every ingest instance with duplicates, and write the journal the check reads.",
                "Exit 0 when every distinct event was acknowledged, 1 when some were not (the journal is written anyway)."})
    static final class Load implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--ingest-urls", split = ",", defaultValue = "${env:INGEST_URL}", description = "ingest base URLs, comma-separated (default: $INGEST_URL)")
        List<String> ingestUrls;

        @Option(names = "--streams-url", defaultValue = "${env:STREAMS_URL}", description = "metering-streams base URL (default: $STREAMS_URL)")
        String streamsUrl;

        @Option(names = "--admin-key", defaultValue = "${env:BUDGETGUARD_ADMIN_KEY}", description = "admin key (default: $BUDGETGUARD_ADMIN_KEY)")
        String adminKey;

        @Option(names = "--seed", required = true, description = "seed of the plan (tenants, events, budgets)")
        long seed;

        @Option(names = "--events", defaultValue = "200000", description = "distinct events (default: ${DEFAULT-VALUE})")
        int events;

        @Option(names = "--tenants", defaultValue = "6", description = "tenants (default: ${DEFAULT-VALUE})")
        int tenants;

        @Option(names = "--rate", defaultValue = "1500", description = "distinct events per second, 0 = max (default: ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--duplicates", defaultValue = "0.07", description = "chance that a send is followed by a resend of a recent event (default: ${DEFAULT-VALUE})")
        double duplicates;

        @Option(names = "--batch", defaultValue = "200", description = "events per request at most (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--journal", required = true, description = "directory the journal is written to")
        Path journal;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ChaosPlan plan = ChaosPlan.generate(seed, events, tenants, defaultPrices());
            ChaosLoad load = new ChaosLoad(plan, new ChaosLoad.Options(ingestUrls, streamsUrl, adminKey, rate, duplicates,
                    batch, Duration.ofSeconds(300)), out);
            ChaosJournal result = load.run();
            Map<String, Long> stats = new HashMap<>(result.stats());
            stats.put("seed", seed);
            new ChaosJournal(result.apiKeys(), result.budgets(), result.events(), stats).write(journal);
            out.println("[chaos] journal written to " + journal);
            out.flush();
            return result.stat("acked_distinct") == events ? 0 : 1;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Wait (bounded) until the pipeline has drained, then compare the journal with the ledger, the",
                "streamed spend and the published alerts; print the summary table. Exit 0 only when nothing was lost,",
                "duplicated or mismatched. Reads DATABASE_URL, PGUSER/PGPASSWORD, STREAMS_URL, KAFKA_BOOTSTRAP and",
                "SCHEMA_REGISTRY_URL from the environment (dev.env)."})
    static final class Check implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--journal", required = true, description = "the directory chaos load wrote")
        Path journal;

        @Option(names = "--drain-timeout", defaultValue = "300", description = "seconds to wait for the pipeline to drain (default: ${DEFAULT-VALUE})")
        long drainTimeoutSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, String> env = System.getenv();
            ChaosSources sources = new ChaosSources(new ChaosSources.Endpoints(env.get("DATABASE_URL"),
                    env.getOrDefault("PGUSER", env.get("DATABASE_USER")),
                    env.getOrDefault("PGPASSWORD", env.get("DATABASE_PASSWORD")), env.get("STREAMS_URL"),
                    env.get("KAFKA_BOOTSTRAP"), env.get("SCHEMA_REGISTRY_URL")));
            ChaosJournal j = ChaosJournal.read(journal);
            ChaosVerdict verdict = new ChaosCheck(j, defaultPrices(), sources, out)
                    .awaitVerdict(Duration.ofSeconds(drainTimeoutSeconds));
            out.print(verdict.table());
            out.flush();
            return verdict.passed() ? 0 : 1;
        }
    }
}
