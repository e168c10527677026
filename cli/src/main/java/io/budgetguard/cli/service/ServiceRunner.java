package io.budgetguard.cli.service;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs started services until SIGTERM or Ctrl-C, then closes them in reverse order of start. */
public final class ServiceRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    private ServiceRunner() {}

    public static void runUntilStopped(AutoCloseable... startedInOrder) {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("Stopping...");
            closeAll(startedInOrder);
            stopped.countDown();
        }, "budgetguard-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void closeAll(AutoCloseable... startedInOrder) {
        for (int i = startedInOrder.length - 1; i >= 0; i--) {
            AutoCloseable closeable = startedInOrder[i];
            if (closeable == null) {
                continue;
            }
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Error while stopping {}: {}", closeable.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
