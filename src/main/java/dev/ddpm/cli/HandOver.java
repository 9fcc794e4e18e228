package dev.ddpm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Continues a training run in a new JVM whose libtorch threads sleep while they wait ({@code
 * OMP_WAIT_POLICY=PASSIVE}): the way a run that started on a free CPU with spinning threads makes
 * way when other processes start to keep the CPU busy. The wait policy is fixed when libtorch
 * starts, and resuming is exact, so the run ends with the same weights as if nothing had happened.
 */
final class HandOver {

    private final List<String> javaAndOptions;

    private HandOver(List<String> javaAndOptions) {
        this.javaAndOptions = javaAndOptions;
    }

    /** How this JVM was started, up to its main class; empty when the platform does not say. */
    static Optional<HandOver> ofThisProcess() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        if (info.command().isEmpty() || info.arguments().isEmpty()) {
            return Optional.empty();
        }
        List<String> args = Arrays.asList(info.arguments().get());
        int main = args.indexOf(DdpmCommand.class.getName());
        if (main < 0) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(info.command().get());
        command.addAll(args.subList(0, main + 1));
        return Optional.of(new HandOver(command));
    }

    /**
     * Runs {@code train --resume <run>} in the new JVM with this process's standard streams,
     * passing a signal this process gets on to it, and returns its exit status.
     */
    int resume(Path runFolder, List<String> options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(javaAndOptions);
        command.addAll(List.of("train", "--resume", runFolder.toAbsolutePath().toString()));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        builder.environment().remove("DDPM_WAIT_POLICY_CHOSEN");
        Process child = builder.start();
        // SIGINT from a terminal reaches both processes; a SIGTERM sent to this one only is passed
        // on, and the child's own handling writes its checkpoint.
        Thread forward =
                new Thread(
                        () -> {
                            child.destroy();
                            try {
                                child.waitFor();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        Runtime.getRuntime().addShutdownHook(forward);
        int status = child.waitFor();
        Runtime.getRuntime().removeShutdownHook(forward);
        return status;
    }
}
