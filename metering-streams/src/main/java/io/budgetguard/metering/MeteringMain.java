package io.budgetguard.metering;

import io.budgetguard.common.config.ConfigException;
import java.util.concurrent.CountDownLatch;

/** Runs metering-streams configured by the environment until SIGTERM or Ctrl-C. */
public final class MeteringMain {

    private MeteringMain() {}

    public static void main(String[] args) throws InterruptedException {
        MeteringConfig config;
        try {
            config = MeteringConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        MeteringService service = new MeteringService(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "metering-shutdown"));
        stopped.await();
    }
}
