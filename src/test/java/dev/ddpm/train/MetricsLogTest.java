package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ddpm.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class MetricsLogTest {

    @TempDir Path tmp;

    private Path file;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void setUp() {
        file = tmp.resolve("metrics.jsonl");
        logged.start();
        ((Logger) LoggerFactory.getLogger(MetricsLog.class)).addAppender(logged);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(MetricsLog.class)).detachAppender(logged);
    }

    /** A line as a run writes it, spelled out here so that the file format is checked too. */
    private static String line(long step) {
        return "{\"step\":"
                + step
                + ",\"epoch\":0,\"loss\":0.25,\"lr\":0.001,\"images_per_second\":512.0,"
                + "\"time\":\"2025-01-01T00:00:00Z\"}\n";
    }

    private static MetricsLog.Entry entry(long step) {
        return new MetricsLog.Entry(step, 0, 0.25, 0.001, 512.0, "2025-01-01T00:00:00Z");
    }

    private MetricsLog open(long resumedStep) throws IOException {
        return new MetricsLog(file, resumedStep);
    }

    private static List<Long> steps(MetricsLog log) {
        return log.entries().stream().map(MetricsLog.Entry::step).toList();
    }

    @Test
    void tornLastLineIsDroppedWithOneWarningAndTheRestRewritten() throws IOException {
        String torn = line(150).substring(0, 30);
        Files.writeString(file, line(50) + line(100) + torn);

        MetricsLog log = open(Long.MAX_VALUE);

        assertEquals(List.of(50L, 100L), steps(log));
        assertEquals(line(50) + line(100), Files.readString(file));
        assertEquals(1, logged.list.size());
        ILoggingEvent warning = logged.list.get(0);
        assertEquals(Level.WARN, warning.getLevel());
        assertTrue(
                warning.getFormattedMessage().contains(file.toString()),
                warning.getFormattedMessage());
        assertTrue(
                warning.getFormattedMessage().contains("after step 100"),
                warning.getFormattedMessage());
    }

    @Test
    void lastLineWithoutItsNewlineIsDroppedEvenWhenItParses() throws IOException {
        String complete = line(150);
        Files.writeString(file, line(50) + complete.substring(0, complete.length() - 1));

        assertEquals(List.of(50L), steps(open(Long.MAX_VALUE)));
        assertEquals(line(50), Files.readString(file));
        assertEquals(1, logged.list.size());
    }

    @Test
    void badLastLineIsDroppedThoughItEndsWithANewline() throws IOException {
        Files.writeString(file, line(50) + "{\"step\":100,\"ep\n\n");

        assertEquals(List.of(50L), steps(open(Long.MAX_VALUE)));
        assertEquals(1, logged.list.size());
    }

    @Test
    void corruptLineBeforeTheLastIsRefusedWithFileAndLineNumber() throws IOException {
        String content = line(50) + "\n" + line(100).replace("0.25", "0.2x5") + line(150);
        Files.writeString(file, content);

        UserException e = assertThrows(UserException.class, () -> open(Long.MAX_VALUE));

        assertTrue(e.getMessage().startsWith(file + ": line 3 "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(content, Files.readString(file));
    }

    @Test
    void twoAppendsRunTogetherAreACorruption() throws IOException {
        Files.writeString(file, line(50).strip() + line(100) + line(150));

        UserException e = assertThrows(UserException.class, () -> open(Long.MAX_VALUE));

        assertTrue(e.getMessage().startsWith(file + ": line 1 "), e.getMessage());
    }

    @Test
    void linesOfOtherListenersAreKeptAsTheyAreUpToTheResumedStep() throws IOException {
        String eval100 = "{\"step\":100,\"epoch\":0,\"eval\":{\"accuracy\":0.5}}\n";
        String eval200 = "{\"step\":200,\"epoch\":0,\"eval\":{\"accuracy\":0.75}}\n";
        Files.writeString(file, line(50) + line(100) + eval100 + line(150) + line(200) + eval200);

        assertEquals(List.of(50L, 100L, 150L), steps(open(150)), "only logged steps are entries");
        assertEquals(line(50) + line(100) + eval100 + line(150), Files.readString(file));
        assertTrue(logged.list.isEmpty());
    }

    @Test
    void linesAfterTheResumedStepAreDropped() throws IOException {
        Files.writeString(file, line(50) + line(100) + line(150) + line(200));

        assertEquals(List.of(50L, 100L), steps(open(100)));
        assertEquals(line(50) + line(100), Files.readString(file));
        assertTrue(logged.list.isEmpty());
    }

    @Test
    void appendedLinesEndWithANewlineAndAFreshLogReadsThem() throws IOException {
        Files.writeString(file, line(50) + line(100).substring(0, 12));
        MetricsLog log = open(Long.MAX_VALUE);
        log.append(entry(100));
        log.append(entry(150));

        assertEquals(line(50) + line(100) + line(150), Files.readString(file));
        assertEquals(List.of(entry(50), entry(100), entry(150)), open(Long.MAX_VALUE).entries());
    }

    @Test
    void appendCreatesTheFile() throws IOException {
        open(0).append(entry(50));

        assertEquals(line(50), Files.readString(file));
    }
}
