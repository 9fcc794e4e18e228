package dev.ddpm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder while the command is being built; replaced by its real implementation. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "(in progress)")
public final class ImportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        throw new UsageException("'import' is not available yet");
    }
}
