package io.budgetguard.cli.service;

import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestService;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Run ingest-service alone, configured by the environment:",
            "KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL, BUDGETGUARD_ADMIN_KEY_SHA256, HTTP_HOST (127.0.0.1), INGEST_PORT (8080)."})
public final class IngestCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        IngestService service = new IngestService(IngestConfig.fromEnv(System.getenv()), Clock.systemUTC());
        service.start();
        ServiceRunner.runUntilStopped(service);
        return 0;
    }
}
