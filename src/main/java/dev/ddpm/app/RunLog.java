package dev.ddpm.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * A run's own log file ({@code train.log}): every log line of the process also goes there, with
 * date and logger, while it is open; lines are appended, e.g. across resumes.
 */
final class RunLog implements AutoCloseable {

    private final FileAppender<ILoggingEvent> appender;
    private final ch.qos.logback.classic.Logger root;

    RunLog(Path file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        encoder.start();
        appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("run-" + file);
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
    }

    /** Stops writing to the file. */
    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
