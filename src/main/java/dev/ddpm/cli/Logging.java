package dev.ddpm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Console verbosity, on top of {@code logback.xml}. */
public final class Logging {

    private Logging() {}

    public static void configureConsole(boolean quiet, boolean verbose) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Level level = verbose ? Level.DEBUG : quiet ? Level.WARN : Level.INFO;
        ctx.getLogger("dev.ddpm").setLevel(level);
        if (verbose) {
            ctx.getLogger("ai.djl").setLevel(Level.INFO);
        }
    }
}
