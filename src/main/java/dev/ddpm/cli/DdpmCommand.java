package dev.ddpm.cli;

import dev.ddpm.common.UserException;
import dev.ddpm.io.AtomicFiles;
import java.io.PrintWriter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ddpm} command: trains, samples and evaluates class-conditional diffusion models on
 * MNIST.
 */
@Command(
        name = "ddpm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description =
                "Class-conditional denoising diffusion models on MNIST with DJL (PyTorch engine).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            TrainCommand.class,
            SampleCommand.class,
            GifCommand.class,
            EvalCommand.class,
            InfoCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Examples:",
            "  ddpm train --config config/quick.json     train the small CPU model",
            "  ddpm sample --digit 7                     a grid of 7s from the latest run",
            "  ddpm gif --all-digits                     GIFs of the denoising process",
            "",
            "Run 'ddpm COMMAND --help' for the options of a command."
        })
public final class DdpmCommand implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DdpmCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a command is required (train, sample, gif, eval, ...)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns the exit code (0 ok, 1 failure, 2 usage error, 130
     * interrupted).
     */
    public static int execute(String... args) {
        return execute(new CommandLine(new DdpmCommand()), args);
    }

    /**
     * Runs {@code cli} with the toolkit's error handling; an exhausted Java heap is one line too.
     */
    static int execute(CommandLine cli, String... args) {
        withErrorHandling(cli);
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            return onOutOfMemory(cli, e);
        }
    }

    /**
     * Gives {@code cli} the toolkit's handling of usage errors and failures: one line on standard
     * error, exit code 2 for what the user can fix ({@link UserException}, through picocli's
     * exit-code mapper), 1 otherwise.
     */
    static CommandLine withErrorHandling(CommandLine cli) {
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(DdpmCommand::onUsageError);
        cli.setExitCodeExceptionMapper(DdpmCommand::exitCode);
        cli.setExecutionExceptionHandler(DdpmCommand::onFailure);
        return cli;
    }

    private static int exitCode(Throwable t) {
        return t instanceof UserException
                ? CommandLine.ExitCode.USAGE
                : CommandLine.ExitCode.SOFTWARE;
    }

    private static int onUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(
                cmd.getCommandSpec().qualifiedName()
                        + ": "
                        + describe(e, cmd)
                        + " (see '"
                        + cmd.getCommandSpec().qualifiedName()
                        + " --help')");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * Picocli's message, except that a stray word where a command is expected is called an unknown
     * command.
     */
    private static String describe(CommandLine.ParameterException e, CommandLine cmd) {
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !cmd.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            List<String> suggestions = u.getSuggestions();
            return "unknown command '"
                    + u.getUnmatched().get(0)
                    + "'"
                    + (suggestions.isEmpty()
                            ? ""
                            : ", did you mean " + String.join(" or ", suggestions) + "?");
        }
        return e.getMessage();
    }

    private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        LOG.debug("command failed", e);
        if (e instanceof UserException) {
            err.println(name + ": " + oneLine(e.getMessage()));
        } else {
            err.println(
                    name
                            + ": error: "
                            + oneLine(describe(e))
                            + " (run with --verbose for details)");
        }
        err.flush();
        return cmd.getExitCodeExceptionMapper().getExitCode(e);
    }

    /** Out of Java heap: one line saying what to change, whatever the command was doing. */
    private static int onOutOfMemory(CommandLine cli, OutOfMemoryError e) {
        PrintWriter err = cli.getErr();
        err.println(
                "ddpm: error: out of Java heap memory ("
                        + e.getMessage()
                        + "); give the JVM more with"
                        + " DDPM_JAVA_OPTS=-Xmx16g (now "
                        + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MiB), or ask for"
                        + " less: a smaller --n, --max-batch or train.batch_size");
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** The failure in words; the JDK's file-system exceptions often carry only a path. */
    private static String describe(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException io) {
                return io instanceof java.nio.file.FileSystemException || io.getMessage() == null
                        ? AtomicFiles.describe(io)
                        : io.getMessage();
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s*\\R\\s*", "; ");
    }
}
