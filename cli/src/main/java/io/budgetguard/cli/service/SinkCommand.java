package io.budgetguard.cli.service;

import io.budgetguard.ledger.sink.LedgerSinkConfig;
import io.budgetguard.ledger.sink.LedgerSinkService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "sink", mixinStandardHelpOptions = true,
        description = {"Run ledger-sink alone, configured by the environment:",
            "KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL, DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, HTTP_HOST, LEDGER_PORT (8082)."})
public final class SinkCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        LedgerSinkService service = new LedgerSinkService(LedgerSinkConfig.fromEnv(System.getenv()));
        service.start();
        ServiceRunner.runUntilStopped(service);
        return 0;
    }
}
