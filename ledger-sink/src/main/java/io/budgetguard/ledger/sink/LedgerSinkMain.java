package io.budgetguard.ledger.sink;

import io.budgetguard.common.config.ConfigException;
import java.util.concurrent.CountDownLatch;

/** Runs the ledger sink alone, configured by the environment (see {@link LedgerSinkConfig#fromEnv}). */
public final class LedgerSinkMain {

    private LedgerSinkMain() {}

    public static void main(String[] args) throws InterruptedException {
        LedgerSinkConfig config;
        try {
            config = LedgerSinkConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LedgerSinkService service = new LedgerSinkService(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "ledger-sink-shutdown"));
        stopped.await();
    }
}
