package dev.ddpm.train;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a polite stop: a shutdown hook asks the trainer to stop
 * and then holds the JVM's shutdown until the trainer has written its checkpoint and {@link #close}
 * is called (or {@code grace} has passed). The process then exits with the signal's status (130 for
 * SIGINT, 143 for SIGTERM).
 */
public final class StopSignal implements AutoCloseable {

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    public StopSignal(Runnable requestStop, Duration grace) {
        this.hook =
                new Thread(
                        () -> {
                            requestStop.run();
                            try {
                                finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "ddpm-stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Lets a pending shutdown proceed, or removes the hook when there was no signal. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running: it returns now that the latch is open.
        }
    }
}
