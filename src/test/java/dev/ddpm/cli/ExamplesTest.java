package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ddpm.eval.TrainedClassifier;
import dev.ddpm.testing.Examples;
import dev.ddpm.testing.ParityFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command example that the README (and any {@code docs/*.md}) and every command's {@code
 * --help} show, run on a fresh clone as a new user would: each must exit 0 and leave every tracked
 * file as it was (what ships with ddpm is never modified by using it). The examples are read from
 * the clone at test time, so the test follows the documentation as it changes.
 *
 * <p>Sizes are made small so the whole runs in minutes: training examples train a tiny model on 16
 * images without in-training evaluation ({@link #TINY_TRAINING}), and the sampling options ({@code
 * --steps}, {@code --n}, {@code --frames}) are set small where a command takes them. The image
 * folders that examples train on are written first, as the README's {@code java
 * scripts/MnistFolders.java} lines write them, with the first {@value #FOLDER_LIMIT} images of each
 * split. Examples that need a GPU are left to {@code scripts/gpu/check.sh}. MNIST's eval classifier
 * is the test suite's, copied into the clone's cache, so that no MNIST example trains one; an image
 * folder's eval trains its own (1,400 steps on its few images: 10 minutes on the loaded 2-core
 * EPYC).
 */
@Examples
class ExamplesTest {

    /** Appended to every {@code train} that starts a run: a tiny model on 16 images. */
    private static final List<String> TINY_TRAINING =
            List.of(
                    "--set", "train.train_limit=16",
                    "--set", "model.base_channels=8",
                    "--set", "model.depth=1",
                    "--set", "model.groups=4",
                    "--set", "model.time_emb_dim=16",
                    "--set", "model.attention_levels=[]",
                    "--set", "diffusion.timesteps=20",
                    "--set", "train.sample_steps=2",
                    "--set", "train.lr_warmup_steps=0",
                    // its in-training evaluations (InTrainingEvalTest's subject) take minutes
                    "--set", "train.eval_images_per_class=0");

    /** Images of each split an image folder example gets (its train_limit is 0). */
    private static final int FOLDER_LIMIT = 100;

    /** A documented line that writes MNIST as an image folder: the script and its arguments. */
    private static final Pattern FOLDER_SCRIPT =
            Pattern.compile("^\\s*java (scripts/MnistFolders\\.java (?:gray|color) \\S+ \\S+).*$");

    /** A command to type in backticks: {@code ./ddpm} and its arguments. */
    private static final Pattern INLINE = Pattern.compile("`\\./(ddpm [^`]+)`");

    /** A command on a line of a code block, perhaps after a prompt or environment variables. */
    private static final Pattern LINE =
            Pattern.compile("^\\s*(?:\\$ )?(?:[A-Z_]+=\\S+ )*\\./(ddpm \\S.*)$");

    private static final List<String> COMMAND_ORDER =
            List.of(
                    "train", "resume", "info", "sample", "gif", "export", "import", "eval",
                    "bench");

    /** The folder of the model that ships with ddpm. */
    private static final String SHIPPED_MODEL = "checkpoints/pretrained";

    @TempDir Path dir;

    @Test
    void everyExampleRunsOnAFreshCloneAndModifiesNoTrackedFile() throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        LauncherTest.Result top =
                LauncherTest.run(repo, Map.of(), List.of("git", "rev-parse", "--show-toplevel"));
        assumeTrue(
                top.exit() == 0 && Path.of(top.out().trim()).equals(repo.toRealPath()),
                repo + " is not a git checkout, so there is nothing to clone");
        Path clone = dir.resolve("clone");
        LauncherTest.Result cloned =
                LauncherTest.run(
                        dir,
                        Map.of(),
                        List.of("git", "clone", "--quiet", repo.toString(), clone.toString()));
        assertEquals(0, cloned.exit(), cloned.err());
        Map<String, String> env = Map.of("DDPM_MVN_ARGS", "-o", "DDPM_JAVA_OPTS", "-Xmx3g");
        LauncherTest.Result help = LauncherTest.run(clone, env, List.of("./ddpm", "--help"));
        assertEquals(0, help.exit(), help.err());

        // The import example of a file that names no sizes reads the reference's own tiny model.
        Files.copy(ParityFixture.TINY.file(), clone.resolve("tiny.safetensors"));
        Path classifier = clone.resolve("checkpoints/classifier/mnist-lenet.safetensors");
        Files.createDirectories(classifier.getParent());
        Files.copy(TrainedClassifier.get().file(), classifier);

        for (String script : folderScripts(clone)) {
            List<String> command = new ArrayList<>(List.of("java"));
            command.addAll(words("java " + script));
            command.addAll(List.of("--limit", Integer.toString(FOLDER_LIMIT)));
            LauncherTest.Result r = LauncherTest.run(clone, env, command);
            assertEquals(0, r.exit(), String.join(" ", command) + ": " + r.err());
        }

        Set<String> examples = new LinkedHashSet<>(documented(clone));
        examples.addAll(helpExamples(help.out()));
        for (String command : DdpmCommandTest.COMMANDS) {
            examples.addAll(
                    helpExamples(
                            LauncherTest.run(clone, env, List.of("./ddpm", command, "--help"))
                                    .out()));
        }
        List<String> ordered = new ArrayList<>(examples);
        ordered.sort(Comparator.comparingInt(ExamplesTest::phase));

        List<String> failures = new ArrayList<>();
        for (String example : ordered) {
            if (example.matches(".*--device[ =]gpu.*")) {
                continue;
            }
            List<String> command = new ArrayList<>(List.of("./ddpm"));
            command.addAll(small(clone, words(example)));
            removeEarlierOutput(clone, command);
            LauncherTest.Result r = LauncherTest.run(clone, env, command);
            System.out.println("example: " + String.join(" ", command) + " -> exit " + r.exit());
            if (r.exit() != 0) {
                failures.add(example + " -> exit " + r.exit() + ": " + lastLine(r.err()));
            }
            String changed = changedShippedFiles(clone);
            if (!changed.isEmpty()) {
                failures.add(example + " -> modified " + changed);
                LauncherTest.run(clone, Map.of(), List.of("git", "checkout", "--", "."));
                LauncherTest.run(
                        clone, Map.of(), List.of("git", "clean", "-q", "-f", "--", SHIPPED_MODEL));
            }
        }
        assertTrue(ordered.size() > 20, "the README and the help show more examples: " + ordered);
        assertTrue(
                failures.isEmpty(),
                failures.size()
                        + " of "
                        + ordered.size()
                        + " examples fail:\n"
                        + String.join("\n", failures));
    }

    /**
     * Removes what an {@code export} ({@code --to}) or {@code import} ({@code --out}, or the run
     * folder of {@code --run}, default {@code imported}) is about to write when an earlier example
     * wrote it: refusing to replace a file is what ddpm promises, and each example is run as if it
     * came first.
     */
    private static void removeEarlierOutput(Path clone, List<String> command) throws IOException {
        String verb = command.get(1);
        Path target = null;
        if (verb.equals("export")) {
            target = clone.resolve(value(command, "--to", ""));
        } else if (verb.equals("import")) {
            String out = value(command, "--out", null);
            target =
                    out != null
                            ? clone.resolve(out)
                            : clone.resolve("checkpoints")
                                    .resolve(value(command, "--run", "imported"));
        }
        if (target != null && Files.exists(target)) {
            try (Stream<Path> files = Files.walk(target)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String value(List<String> command, String option, String otherwise) {
        int i = command.indexOf(option);
        return i >= 0 && i + 1 < command.size() ? command.get(i + 1) : otherwise;
    }

    /**
     * The tracked files an example changed or deleted, and the files it added to the shipped
     * model's folder (a report written beside the shipped one is a modification of what ships too).
     */
    private static String changedShippedFiles(Path clone) throws Exception {
        String tracked =
                LauncherTest.run(
                                clone,
                                Map.of(),
                                List.of("git", "status", "--porcelain", "--untracked-files=no"))
                        .out();
        String added =
                LauncherTest.run(
                                clone,
                                Map.of(),
                                List.of(
                                        "git",
                                        "status",
                                        "--porcelain",
                                        "--untracked-files=all",
                                        "--",
                                        SHIPPED_MODEL))
                        .out();
        return (tracked + added).trim().replace('\n', ' ');
    }

    /** The commands of the README and of {@code docs/*.md}: code lines and inline code. */
    private static List<String> documented(Path clone) throws IOException {
        List<Path> files = new ArrayList<>(List.of(clone.resolve("README.md")));
        if (Files.isDirectory(clone.resolve("docs"))) {
            try (Stream<Path> docs = Files.walk(clone.resolve("docs"))) {
                docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        List<String> commands = new ArrayList<>();
        for (Path file : files) {
            boolean code = false;
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("```")) {
                    code = !code;
                    continue;
                }
                Matcher m = code ? LINE.matcher(line) : INLINE.matcher(line);
                while (code ? m.matches() : m.find()) {
                    commands.add(withoutComment(m.group(1)));
                    if (code) {
                        break;
                    }
                }
            }
        }
        return commands.stream().filter(ExamplesTest::runnable).toList();
    }

    /** The {@code java scripts/MnistFolders.java gray|color IN OUT} lines of the README's code. */
    private static List<String> folderScripts(Path clone) throws IOException {
        List<String> scripts = new ArrayList<>();
        boolean code = false;
        for (String line : Files.readAllLines(clone.resolve("README.md"))) {
            if (line.startsWith("```")) {
                code = !code;
                continue;
            }
            Matcher m = FOLDER_SCRIPT.matcher(line);
            if (code && m.matches()) {
                scripts.add(m.group(1));
            }
        }
        return scripts;
    }

    /** The lines after "Examples:" of a help text that start with a command. */
    private static List<String> helpExamples(String help) {
        int start = help.indexOf("Examples:");
        if (start < 0) {
            return List.of();
        }
        List<String> commands = new ArrayList<>();
        String previous = null;
        for (String line : help.substring(start).lines().skip(1).toList()) {
            Matcher m = Pattern.compile("^\\s+(ddpm \\S.*)$").matcher(line);
            Matcher more = Pattern.compile("^\\s{6,}(--\\S.*)$").matcher(line);
            if (m.matches()) {
                // The description follows after two spaces or a '#'.
                previous = withoutComment(m.group(1).split(" {2,}")[0]);
                commands.add(previous);
            } else if (previous != null && more.matches()) {
                // A command too long for one line goes on, indented, with its next option.
                commands.set(commands.size() - 1, previous += " " + withoutComment(more.group(1)));
            } else {
                previous = null;
            }
        }
        return commands.stream().filter(ExamplesTest::runnable).toList();
    }

    private static String withoutComment(String command) {
        int hash = command.indexOf(" #");
        return (hash < 0 ? command : command.substring(0, hash)).replace("\\", "").trim();
    }

    /**
     * Examples whose words a user would replace ({@code <run>}, {@code N}, {@code ...}), and the
     * record of how the shipped model was made (docs/experiments.md): its export writes into {@code
     * checkpoints/pretrained/}, which using ddpm never modifies, so it is refused there (the file
     * exists) and is not a promise to a user.
     */
    private static boolean runnable(String command) {
        return !command.matches(".*(<|\\.\\.\\.|…|=N\\b| N\\b| FILE\\b| NAME\\b).*")
                && !command.equals("ddpm COMMAND --help")
                && !command.contains("--to checkpoints/pretrained/");
    }

    private static int phase(String command) {
        List<String> w = words(command);
        String verb = w.isEmpty() ? "" : w.get(0);
        if (verb.equals("train") && w.contains("--resume")) {
            verb = "resume";
        }
        int i = COMMAND_ORDER.indexOf(verb);
        return i < 0 ? COMMAND_ORDER.size() : i;
    }

    /** The words of a command without the leading {@code ddpm}; quotes removed. */
    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(command);
        while (m.find()) {
            words.add(
                    m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return words.subList(1, words.size());
    }

    /**
     * The example's arguments with small sizes; a training on an image folder keeps all of its
     * (already few) images, since a folder's images cannot be limited.
     */
    private static List<String> small(Path clone, List<String> args) throws IOException {
        List<String> a = new ArrayList<>(args);
        String verb = a.isEmpty() ? "" : a.get(0);
        boolean ddpmSampler = a.contains("ddpm") && a.contains("--sampler");
        switch (verb) {
            case "train" -> {
                if (!a.contains("--resume")) {
                    set(a, "--batch-size", "8");
                    a.addAll(TINY_TRAINING);
                    if (onImageFolder(clone, a)) {
                        a.addAll(List.of("--set", "train.train_limit=0"));
                    }
                }
            }
            case "sample", "gif", "eval" -> {
                if (!ddpmSampler) {
                    set(a, "--steps", "2");
                }
                if (!verb.equals("gif")) {
                    set(a, "--n", "2");
                } else {
                    set(a, "--frames", "2");
                }
            }
            case "bench" -> {
                set(a, "--steps", "1");
                a.addAll(TINY_TRAINING);
            }
            default -> {}
        }
        return a;
    }

    /** Whether the training's {@code --config} file trains on an image folder. */
    private static boolean onImageFolder(Path clone, List<String> args) throws IOException {
        String config = value(args, "--config", null);
        return config != null
                && Files.isRegularFile(clone.resolve(config))
                && Files.readString(clone.resolve(config))
                        .matches("(?s).*\"dataset\"\\s*:\\s*\"folder\".*");
    }

    /** Replaces the value of {@code option}, or appends the option. */
    private static void set(List<String> args, String option, String value) {
        int i = args.indexOf(option);
        if (i >= 0 && i + 1 < args.size()) {
            args.set(i + 1, value);
        } else {
            args.add(option);
            args.add(value);
        }
    }

    private static String lastLine(String err) {
        List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
    }
}
