package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.config.DdpmConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The command line as a user meets it: help, version, usage errors and configuration errors. */
class DdpmCommandTest {

    static final List<String> COMMANDS =
            List.of("train", "sample", "gif", "eval", "info", "import", "export", "bench");

    @TempDir Path dir;

    /** Exit code, standard output and standard error of one run. */
    record Run(int exit, String out, String err) {
        /** The error output as its lines. */
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static synchronized Run run(Callable<Integer> command) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = command.call();
            return new Run(
                    exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Run ddpm(String... args) throws Exception {
        return run(() -> DdpmCommand.execute(args));
    }

    /**
     * A usage error: exit 2 and exactly one line on standard error, containing each of {@code
     * facts} (what the user needs to read: the command, the option or key, the fix), in any order
     * and whatever the wording around them.
     */
    static void assertUsageError(Run r, String... facts) {
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), "one line: " + r.err());
        for (String fact : facts) {
            assertTrue(r.err().contains(fact), "expected '" + fact + "' in: " + r.err());
        }
        assertFalse(r.err().contains("Exception"), "no stack trace or exception name: " + r.err());
    }

    @Test
    void helpListsEveryCommandWithExamples() throws Exception {
        for (String flag : new String[] {"--help", "-h", "help"}) {
            Run r = ddpm(flag);
            assertEquals(0, r.exit(), flag);
            assertTrue(r.out().startsWith("Usage: ddpm"), r.out());
            for (String command : COMMANDS) {
                assertTrue(
                        r.out().contains("\n  " + command + " "),
                        command + " listed in: " + r.out());
            }
            assertTrue(r.out().contains("Examples:"), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void everyCommandsSummaryInTheListIsAWholeSentence() throws Exception {
        String commands = ddpm("--help").out().split("Commands:")[1].split("\n\n")[0];
        // A summary is the command's first description line, with its continuation lines.
        for (String summary : commands.split("\n  (?=\\S)")) {
            String text = summary.strip().replaceAll("\\s+", " ");
            if (text.isEmpty()) {
                continue;
            }
            assertTrue(text.endsWith("."), "a summary that stops mid-sentence: " + text);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCommandHasHelpWithExamples() {
        return COMMANDS.stream()
                .map(
                        command ->
                                DynamicTest.dynamicTest(
                                        command,
                                        () -> {
                                            Run r = ddpm(command, "--help");
                                            assertEquals(0, r.exit());
                                            assertTrue(
                                                    r.out().startsWith("Usage: ddpm " + command),
                                                    r.out());
                                            assertTrue(
                                                    r.out().contains("--device"),
                                                    "every command takes --device: " + r.out());
                                            assertTrue(r.out().contains("Examples:"), r.out());
                                        }));
    }

    @Test
    void versionNamesTheToolkitAndItsEngine() throws Exception {
        Run r = ddpm("--version");
        assertEquals(0, r.exit());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("ddpm \\d+\\.\\d+\\.\\d+.*"), r.out());
        String pom = Files.readString(Path.of("pom.xml"));
        assertEquals(
                "DJL "
                        + property(pom, "djl.version")
                        + ", PyTorch "
                        + property(pom, "pytorch.version"),
                lines.get(1));
        assertTrue(
                lines.get(2).startsWith("Java " + Runtime.version().feature()),
                "the Java that runs it: " + r.out());
    }

    /** A property of the pom, the one place the versions are written. */
    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1);
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() throws Exception {
        assertUsageError(ddpm(), "ddpm: ", "command", "train");
        assertUsageError(ddpm("--bogus"), "ddpm: ", "'--bogus'");
        assertUsageError(ddpm("frobnicate"), "ddpm: ", "'frobnicate'", "ddpm --help");
        assertUsageError(ddpm("trian"), "ddpm: ", "'trian'", "train?");
        assertUsageError(ddpm("sample", "--bogus"), "ddpm sample: ", "'--bogus'");
        assertUsageError(
                ddpm("train", "--device", "tpu"),
                "ddpm train: ",
                "--device",
                "auto, cpu, gpu or gpu:N",
                "'tpu'");
        assertUsageError(ddpm("eval", "--device=gpu:x"), "ddpm eval: ", "'gpu:x'");
        assertUsageError(ddpm("train", "--device"), "ddpm train: ", "'--device'");
    }

    /** A command with the configuration options, run with the toolkit's error handling. */
    @Command(name = "probe")
    static final class ProbeCommand implements Callable<Integer> {
        @Mixin CommonOptions common;

        @Mixin ConfigOptions config;

        DdpmConfig loaded;

        @Override
        public Integer call() {
            loaded = config.load();
            return 0;
        }
    }

    static Run probe(ProbeCommand probe, String... args) throws Exception {
        return run(() -> DdpmCommand.withErrorHandling(new CommandLine(probe)).execute(args));
    }

    @Test
    void configFileAndSetOverridesReachTheCommand() throws Exception {
        ProbeCommand p = new ProbeCommand();
        Run r =
                probe(
                        p,
                        "--config",
                        "config/quick.json",
                        "--set",
                        "train.lr=0.5",
                        "--set",
                        "model.attention_levels=[1]",
                        "--set",
                        "train.dataset=fashion-mnist",
                        "--set",
                        "diffusion.schedule=\"cosine\"");
        assertEquals(0, r.exit(), r.err());
        assertEquals(0.5, p.loaded.train().lr());
        assertEquals(List.of(1), p.loaded.model().attentionLevels());
        assertEquals("fashion-mnist", p.loaded.train().dataset().configName());
        assertEquals("cosine", p.loaded.diffusion().schedule().configName());
        assertEquals(8, p.loaded.model().baseChannels(), "from quick.json");
        assertEquals(1000, p.loaded.diffusion().timesteps(), "from the defaults");

        ProbeCommand defaults = new ProbeCommand();
        assertEquals(0, probe(defaults).exit());
        assertEquals(DdpmConfig.reference(), defaults.loaded);
    }

    @Test
    void configErrorsAreOneLineNamingTheKey() throws Exception {
        assertUsageError(
                probe(new ProbeCommand(), "--set", "train.learning_rate=1"),
                "probe: ",
                "'train.learning_rate'",
                " lr,");
        assertUsageError(
                probe(new ProbeCommand(), "--set", "train.batch_size=many"),
                "probe: config key 'train.batch_size' has the wrong type: expected an integer");
        assertUsageError(
                probe(new ProbeCommand(), "--set", "train.lr=5"),
                "probe: config key 'train.lr' must be in (0, 1), got 5.0");
        assertUsageError(
                probe(new ProbeCommand(), "--set", "diffusion.schedule=quadratic"),
                "probe: config key 'diffusion.schedule' must be one of [cosine, linear], got"
                        + " 'quadratic'");
        assertUsageError(probe(new ProbeCommand(), "--set", "train.lr"), "config key 'train.lr'");
        assertUsageError(probe(new ProbeCommand(), "--set", "lr=1"), "unknown config key 'lr'");
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"train\": {\"epochs\": 0}}");
        assertUsageError(
                probe(new ProbeCommand(), "--config", bad.toString()),
                "probe: config key 'train.epochs' must be in [1, 1000000], got 0");
        assertUsageError(
                probe(new ProbeCommand(), "--config", dir.resolve("none.json").toString()),
                "none.json does not exist");
    }
}
