package io.budgetguard.ingest;

import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** Runs ingest-service configured by the environment until SIGTERM or Ctrl-C. */
public final class IngestMain {

    private IngestMain() {}

    public static void main(String[] args) throws InterruptedException {
        IngestService service = new IngestService(IngestConfig.fromEnv(System.getenv()), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "ingest-shutdown"));
        service.start();
        stopped.await();
    }
}
