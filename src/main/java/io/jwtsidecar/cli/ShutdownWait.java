package io.jwtsidecar.cli;

import java.util.concurrent.CountDownLatch;

/** How a long-running command ({@code run}, {@code dev}, {@code inject-webhook}) waits to be stopped. */
public final class ShutdownWait {
    private ShutdownWait() {
    }

    /** Blocks until the JVM is asked to stop, then closes what it was given, in order. */
    public static void awaitShutdown(AutoCloseable... resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    System.err.println("error while stopping: " + e);
                }
            }
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
