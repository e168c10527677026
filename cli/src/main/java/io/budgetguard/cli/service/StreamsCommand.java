package io.budgetguard.cli.service;

import io.budgetguard.metering.MeteringConfig;
import io.budgetguard.metering.MeteringService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "streams", mixinStandardHelpOptions = true,
        description = {"Run metering-streams alone, configured by the environment:",
            "KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL, STREAMS_STATE_DIR, STREAMS_APPLICATION_ID, HTTP_HOST, STREAMS_PORT (8081)."})
public final class StreamsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        MeteringService service = new MeteringService(MeteringConfig.fromEnv(System.getenv()));
        service.start();
        ServiceRunner.runUntilStopped(service);
        return 0;
    }
}
