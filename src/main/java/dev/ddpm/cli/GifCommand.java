package dev.ddpm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder while the command is being built; replaced by its real implementation. */
@Command(name = "gif", mixinStandardHelpOptions = true, description = "(in progress)")
public final class GifCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        throw new UsageException("'gif' is not available yet");
    }
}
