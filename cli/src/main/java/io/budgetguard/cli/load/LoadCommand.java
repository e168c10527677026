package io.budgetguard.cli.load;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code budgetguard load}: a load generator built on the gateway client. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Send generated usage events to ingest through the gateway client (batched, retried with the "
                + "same event ids), printing progress every second and a summary at the end.",
            "Exits 1 when any event was not acknowledged (rejected, or lost after every retry)."})
public final class LoadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "${env:INGEST_URL}",
            description = "ingest base URL (default: $INGEST_URL)")
    String url;

    @Option(names = "--api-key", defaultValue = "${env:DEMO_API_KEY}",
            description = "tenant API key, developer role or above (default: $DEMO_API_KEY)")
    String apiKey;

    @Option(names = "--events", defaultValue = "10000", description = "distinct events to send (default: ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--rate", defaultValue = "0", description = "events per second, 0 = as fast as possible (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--batch", defaultValue = "500", description = "events per request, 1 to 1000 (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--concurrency", defaultValue = "4", description = "requests in flight at once (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--duplicates", defaultValue = "0", description = "fraction of events sent again with the same event id, 0 to 1 (default: ${DEFAULT-VALUE})")
    double duplicates;

    @Option(names = "--models", split = ",", defaultValue = "openai/gpt-4o,openai/gpt-4o-mini,anthropic/claude-sonnet-4-5",
            description = "provider/model pairs, comma-separated (default: ${DEFAULT-VALUE})")
    String[] models;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        LoadOptions options;
        try {
            options = new LoadOptions(url, apiKey, events, rate, batch, concurrency, duplicates,
                    Arrays.stream(models).map(LoadOptions.Model::parse).toList());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("budgetguard load: " + e.getMessage());
            return 2;
        }
        LoadReport report = new LoadGenerator(options, out).run();
        return report.complete() ? 0 : 1;
    }
}
