package dev.ddpm.cli;

import ai.djl.Device;
import picocli.CommandLine.Option;

/** Options every command has: the device and how much it says. */
public final class CommonOptions {

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "${env:DDPM_DEVICE:-auto}",
            description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}; auto takes a GPU when there is one)")
    String device;

    @Option(names = {"-q", "--quiet"}, description = "Only warnings and errors on the console.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Debug output, and stack traces of failures.")
    boolean verbose;

    /** Applies the verbosity; call first in a command's {@code call()}. */
    public void applyLogging() {
        Logging.configureConsole(quiet, verbose);
    }

    /** Loads the engine, picks the device and logs one line saying which. */
    public Device device() {
        return Devices.resolve(device);
    }
}
