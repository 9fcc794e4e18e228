package dev.ddpm.cli;

import ai.djl.Device;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options every command has: the device and how much it says. */
public final class CommonOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    String device;

    /** Checked while parsing, so a bad value is a usage error before any work starts. */
    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            defaultValue = "${env:DDPM_DEVICE:-auto}",
            description =
                    "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}; auto takes a GPU when"
                            + " there is one)")
    void setDevice(String value) {
        try {
            Devices.parse(value);
        } catch (UserException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        device = value;
    }

    @Option(
            names = {"-q", "--quiet"},
            description = "Only warnings and errors on the console.")
    boolean quiet;

    @Option(
            names = {"-v", "--verbose"},
            description = "Debug output, and stack traces of failures.")
    boolean verbose;

    /** Applies the verbosity; call first in a command's {@code call()}. */
    public void applyLogging() {
        Logging.configureConsole(quiet, verbose);
    }

    /** Where the user's files are and the installation's: the current folder, {@code ddpm.home}. */
    public Workspace workspace() {
        return Workspace.current();
    }

    /** Loads the engine, picks the device and logs one line saying which. */
    public Device device() {
        return Devices.resolve(device);
    }
}
