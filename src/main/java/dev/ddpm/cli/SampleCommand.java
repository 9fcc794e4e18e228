package dev.ddpm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder while the command is being built; replaced by its real implementation. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "(in progress)")
public final class SampleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        throw new UsageException("'sample' is not available yet");
    }
}
