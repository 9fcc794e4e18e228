package dev.ddpm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Console verbosity and the per-run log file, on top of {@code logback.xml}. */
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

    /**
     * Also writes every log line of the toolkit to {@code file} (appending, e.g. across resumes).
     */
    public static void addRunLog(Path file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("run-" + file);
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
    }
}
