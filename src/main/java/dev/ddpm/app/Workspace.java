package dev.ddpm.app;

import dev.ddpm.data.MnistFiles;
import dev.ddpm.eval.ImageClassifier;
import dev.ddpm.io.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the toolkit finds and writes its files: the user's own files under {@link #root} (the
 * current folder for the command line), the files that ship with ddpm under {@link #installation}.
 *
 * <ul>
 *   <li>runs: {@code <root>/checkpoints/<run>/}, and the eval classifier's cache {@code
 *       <root>/checkpoints/classifier/};
 *   <li>outputs: {@code <root>/samples/}, {@code <root>/gifs/}, and {@code <root>/eval/pretrained/}
 *       for evaluations of the shipped model (what ships is never modified by using it);
 *   <li>data: a relative {@code train.data_dir} is read under {@code <root>}; when the dataset's
 *       files are not all there but the installation holds them ({@code
 *       <installation>/data/mnist/}), the installation's are read; otherwise the missing files are
 *       downloaded under {@code <root>};
 *   <li>the shipped model: {@code <installation>/checkpoints/pretrained/}, what {@code latest}
 *       means while the user has no run, and the run name {@code pretrained}.
 * </ul>
 *
 * <p>The {@code ddpm} launcher passes its own folder as the system property {@value
 * #HOME_PROPERTY}, so that the shipped model and MNIST are found from any working directory.
 *
 * @param root the user's folder; relative paths (e.g. {@code Path.of("")}) keep messages short
 * @param installation the folder ddpm is installed in (the repository clone)
 */
public record Workspace(Path root, Path installation) {

    /** The system property that names the installation folder. */
    public static final String HOME_PROPERTY = "ddpm.home";

    private static final String CHECKPOINTS = "checkpoints";

    /**
     * The current folder for the user's files, and the installation that {@value #HOME_PROPERTY}
     * names (the current folder when unset). Paths stay relative when the two are the same folder.
     */
    public static Workspace current() {
        Path here = Path.of("");
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank() || sameFolder(Path.of(home), here)) {
            return new Workspace(here, here);
        }
        return new Workspace(here, Path.of(home));
    }

    /** The user's runs: {@code <root>/checkpoints}. */
    public Path checkpoints() {
        return root.resolve(CHECKPOINTS);
    }

    /** The run folder of the model that ships with ddpm. */
    public Path shippedModel() {
        return installation.resolve(CHECKPOINTS).resolve(RunDirectory.PRETRAINED);
    }

    /** Whether {@code folder} is the shipped model's run folder (however the path is spelled). */
    public boolean isShippedModel(Path folder) {
        return sameFolder(folder, shippedModel());
    }

    /** The MNIST classifier's cache, trained there on first use. */
    public Path classifier() {
        return classifier(ImageClassifier.MNIST_FILE);
    }

    /**
     * The cache of the eval classifier named {@code fileName} (see {@link
     * ImageClassifier#fileName}).
     */
    public Path classifier(String fileName) {
        return checkpoints().resolve("classifier").resolve(fileName);
    }

    /** Where an output the user did not place goes: {@code <root>/<name>}. */
    public Path output(String name) {
        return root.resolve(name);
    }

    /**
     * The checkpoint file {@code spec} names (null or {@code latest}, a file, a run folder, a run
     * name under {@link #checkpoints}).
     *
     * @throws RunDirectory.NoCheckpointException when there is none, saying how to get one
     */
    public Path resolveCheckpoint(String spec) {
        return RunDirectory.resolveCheckpoint(spec, checkpoints(), shippedModel());
    }

    /**
     * The folder of {@code dataset}'s files for the data root {@code dataDir} (the configuration's
     * {@code train.data_dir}): under {@link #root}, or the installation's copy when only that one
     * is complete (see the class comment).
     */
    public Path dataFolder(String dataDir, String dataset) {
        Path own = MnistFiles.folder(root.resolve(dataDir), dataset);
        if (Path.of(dataDir).isAbsolute() || MnistFiles.hasAllFiles(own)) {
            return own;
        }
        Path shipped = MnistFiles.folder(installation.resolve(dataDir), dataset);
        return MnistFiles.hasAllFiles(shipped) ? shipped : own;
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
