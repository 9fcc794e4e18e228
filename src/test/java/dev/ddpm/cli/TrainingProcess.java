package dev.ddpm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** {@code ddpm train ...} in a JVM of its own, with its output collected as it comes. */
final class TrainingProcess implements AutoCloseable {

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    TrainingProcess(Path workingDir, String... args) throws IOException {
        this(workingDir, Map.of("OMP_WAIT_POLICY", "PASSIVE"), args);
    }

    /** With {@code environment} added to this process's. */
    TrainingProcess(Path workingDir, Map<String, String> environment, String... args)
            throws IOException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-cp",
                                System.getProperty("java.class.path"),
                                DdpmCommand.class.getName(),
                                "train"));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(workingDir.toFile())
                        .redirectErrorStream(true);
        builder.environment().putAll(environment);
        process = builder.start();
        reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line; (line = r.readLine()) != null; ) {
                                    synchronized (output) {
                                        output.append(line).append('\n');
                                        output.notifyAll();
                                    }
                                }
                            } catch (IOException e) {
                                output.append(e);
                            }
                        });
        reader.start();
    }

    /**
     * Waits until a line of output satisfies {@code test}; false when the time is up or the process
     * ended.
     */
    boolean awaitLine(Predicate<String> test, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (output) {
            while (output.toString().lines().noneMatch(test)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                    return output.toString().lines().anyMatch(test);
                }
                output.wait(
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
            }
            return true;
        }
    }

    /** Sends {@code signal} (e.g. INT, KILL) as a shell's kill does. */
    void signal(String signal) throws IOException, InterruptedException {
        if (new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor()
                != 0) {
            throw new IllegalStateException("kill -" + signal + " failed");
        }
    }

    /** The exit status, after waiting for the process (and its output) to end. */
    int exitValue(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("did not stop:\n" + output());
        }
        reader.join(10_000);
        return process.exitValue();
    }

    String output() {
        return output.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
