package dev.ddpm.data;

import dev.ddpm.common.UserException;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A labeled image folder: {@code <root>/train/<class>/...} and optionally {@code
 * <root>/test/<class>/...}, PNG or JPEG files (also in sub-folders of a class folder). The classes
 * are the class folders' names, sorted; an image's label is its class's index. The images of a
 * split are ordered by their path inside their class folder, then by class. Without {@code test/},
 * a fixed share of each class ({@value #HELD_OUT_PERCENT}%, drawn with a fixed seed) is held out as
 * the test split, the same for every run.
 *
 * <p>{@link #scan} only lists the files (one pass over each folder, then a sort), so a folder of
 * 100,000 files is listed in a second and refused early when it is malformed; {@link #load} decodes
 * one split, converts it to the model's channels and size (see {@link ImageDecoding}) and keeps it
 * in memory as {@link LabeledImages}: {@code channels x size x size} bytes per image.
 */
public final class ImageFolder {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

    /** Share of each class held out as the test split when there is no {@code test/} folder. */
    public static final int HELD_OUT_PERCENT = 10;

    /** Seed of the held-out choice: fixed, so that training and eval agree whatever the run. */
    private static final long HELD_OUT_SEED = 0;

    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg");

    /** One image file, its path inside its class folder, and its class index. */
    private record Entry(Path file, String name, int label) {}

    private final Path root;
    private final List<String> classes;
    private final List<Entry> train;
    private final List<Entry> test;
    private final boolean heldOut;

    private ImageFolder(
            Path root, List<String> classes, List<Entry> train, List<Entry> test, boolean heldOut) {
        this.root = root;
        this.classes = classes;
        this.train = train;
        this.test = test;
        this.heldOut = heldOut;
    }

    /**
     * Lists the classes and image files under {@code root}, refusing with one line what cannot be a
     * data set: no {@code train/} folder, no class folders or only one, a class folder without
     * images, a file that is not a PNG or JPEG, a symbolic link that loops or leads nowhere, a
     * {@code test/} folder whose classes are not those of {@code train/}. Hidden files and folders
     * (names starting with '.') are ignored.
     */
    public static ImageFolder scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DataException(
                    root
                            + (Files.exists(root) ? " is not a folder" : " does not exist")
                            + ": train.data_dir must be a folder holding train/<class>/*.png"
                            + " (or .jpg)");
        }
        Path trainDir = root.resolve("train");
        if (!Files.isDirectory(trainDir)) {
            throw new DataException(
                    root
                            + " has no train/ folder: put the images in "
                            + trainDir
                            + "/<class>/*.png (or .jpg), one folder per class");
        }
        List<String> classes = classFolders(trainDir);
        if (classes.isEmpty()) {
            throw new DataException(
                    trainDir + " holds no class folders: put the images in train/<class>/*.png");
        }
        if (classes.size() == 1) {
            throw new DataException(
                    trainDir
                            + " holds one class folder ("
                            + classes.get(0)
                            + "): a class-conditional model needs at least 2 classes");
        }
        List<List<Path>> trainFiles = new ArrayList<>();
        for (String name : classes) {
            trainFiles.add(images(trainDir.resolve(name)));
        }
        Path testDir = root.resolve("test");
        if (Files.isDirectory(testDir)) {
            List<String> testClasses = classFolders(testDir);
            if (!testClasses.equals(classes)) {
                throw new DataException(
                        testDir
                                + " holds the classes "
                                + testClasses
                                + " but "
                                + trainDir
                                + " holds "
                                + classes
                                + ": both need the same class folders");
            }
            List<List<Path>> testFiles = new ArrayList<>();
            for (String name : classes) {
                testFiles.add(images(testDir.resolve(name)));
            }
            return new ImageFolder(
                    root,
                    classes,
                    entries(trainDir, classes, trainFiles),
                    entries(testDir, classes, testFiles),
                    false);
        }
        List<List<Path>> kept = new ArrayList<>();
        List<List<Path>> held = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            List<Path> files = trainFiles.get(c);
            int[] order = new EpochOrder(files.size(), HELD_OUT_SEED + c).permutation(0);
            boolean[] isHeld = new boolean[files.size()];
            for (int i = 0; i < heldOutCount(files.size()); i++) {
                isHeld[order[i]] = true;
            }
            List<Path> heldPart = new ArrayList<>();
            List<Path> keptPart = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                (isHeld[i] ? heldPart : keptPart).add(files.get(i));
            }
            held.add(heldPart);
            kept.add(keptPart);
        }
        return new ImageFolder(
                root,
                classes,
                entries(trainDir, classes, kept),
                entries(trainDir, classes, held),
                true);
    }

    /**
     * {@value #HELD_OUT_PERCENT}% of a class's {@code n} images, rounded, at least one when there
     * are two or more (one image stays for training).
     */
    static int heldOutCount(int n) {
        int share = Math.round(n * HELD_OUT_PERCENT / 100f);
        return n < 2 ? 0 : Math.min(n - 1, Math.max(1, share));
    }

    public Path root() {
        return root;
    }

    /** The class names, sorted; label {@code i} is class {@code i}. */
    public List<String> classes() {
        return classes;
    }

    /** Whether the test split is held out of {@code train/} (there is no {@code test/}). */
    public boolean heldOut() {
        return heldOut;
    }

    /** Image files of the training ({@code true}) or test split. */
    public int count(boolean trainSplit) {
        return (trainSplit ? train : test).size();
    }

    /** Where the test split comes from, for the log: {@code test/}, or the held-out share. */
    public String describeSplits() {
        return heldOut
                ? "no test/ folder: "
                        + test.size()
                        + " images ("
                        + HELD_OUT_PERCENT
                        + "% of each class, a fixed seeded choice) are held out of train/ for"
                        + " eval, "
                        + train.size()
                        + " train"
                : train.size() + " images in train/, " + test.size() + " in test/";
    }

    /**
     * Decodes one split into memory, each image converted to {@code channels} (1: grayscale, 3:
     * RGB) and resized to {@code size x size} as {@link ImageDecoding} does; the files are decoded
     * in parallel, each into its own place, so the result does not depend on the threads.
     *
     * @throws DataException naming the first file (in the split's order) that cannot be decoded
     */
    public LabeledImages load(boolean trainSplit, int channels, int size) {
        if (channels != 1 && channels != 3) {
            throw new UserException(
                    "model.in_channels="
                            + channels
                            + " does not fit an image folder, whose images are read as grayscale"
                            + " (1) or RGB (3): use --set model.in_channels=1 or 3");
        }
        List<Entry> entries = trainSplit ? train : test;
        int imageBytes = channels * size * size;
        long total = (long) entries.size() * imageBytes;
        if (total > Integer.MAX_VALUE - 8) {
            throw new DataException(
                    root
                            + ": "
                            + entries.size()
                            + " images of "
                            + imageBytes
                            + " bytes need "
                            + total / (1 << 20)
                            + " MiB, more than one array holds (2 GiB): use fewer images or a"
                            + " smaller model.image_size");
        }
        long started = System.nanoTime();
        byte[] pixels = new byte[(int) total];
        int[] labels = new int[entries.size()];
        AtomicReferenceArray<DataException> failures = new AtomicReferenceArray<>(entries.size());
        IntStream.range(0, entries.size())
                .parallel()
                .forEach(
                        i -> {
                            Entry e = entries.get(i);
                            labels[i] = e.label();
                            try {
                                ImageDecoding.read(
                                        e.file(), channels, size, pixels, i * imageBytes);
                            } catch (DataException failure) {
                                failures.set(i, failure);
                            }
                        });
        for (int i = 0; i < entries.size(); i++) {
            if (failures.get(i) != null) {
                throw failures.get(i);
            }
        }
        LabeledImages images =
                new LabeledImages(
                        pixels,
                        labels,
                        classes,
                        channels,
                        size,
                        root
                                + " ("
                                + (trainSplit ? "training" : "test")
                                + " split; "
                                + describeSplits()
                                + ")");
        LOG.info(
                "{} {} images of {} classes from {}: {}x{}x{}, {} MiB in memory ({} bytes per"
                        + " image), decoded in {} s",
                entries.size(),
                trainSplit ? "training" : "test",
                classes.size(),
                root,
                channels,
                size,
                size,
                String.format(Locale.ROOT, "%.1f", images.bytes() / (double) (1 << 20)),
                imageBytes + 4,
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
        return images;
    }

    /**
     * The files of every class in one list, ordered by their path inside their class folder, then
     * by class: numbered files keep their numbering across classes, so MNIST written with its
     * indices as names comes back in MNIST's own order.
     */
    private static List<Entry> entries(
            Path splitDir, List<String> classes, List<List<Path>> filesByClass) {
        List<Entry> entries = new ArrayList<>();
        for (int c = 0; c < filesByClass.size(); c++) {
            Path classDir = splitDir.resolve(classes.get(c));
            for (Path file : filesByClass.get(c)) {
                entries.add(new Entry(file, classDir.relativize(file).toString(), c));
            }
        }
        entries.sort(Comparator.comparing(Entry::name).thenComparingInt(Entry::label));
        return entries;
    }

    /** The visible sub-folders of {@code dir}, sorted; a visible file there is refused. */
    private static List<String> classFolders(Path dir) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                String name = child.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (!Files.isDirectory(child)) {
                    throw new DataException(
                            child
                                    + " is a file directly in "
                                    + dir
                                    + ", where only class folders belong: move it into its class"
                                    + " folder, or out of "
                                    + dir
                                    + (Files.exists(child) ? "" : " (a link that leads nowhere)"));
                }
                names.add(name);
            }
        } catch (IOException e) {
            throw new DataException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        Collections.sort(names);
        return names;
    }

    /**
     * The PNG and JPEG files under a class folder, its sub-folders included, sorted by path;
     * refuses other visible files, link loops and dangling links, and a class without images.
     */
    private static List<Path> images(Path classDir) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(
                    classDir,
                    EnumSet.of(FileVisitOption.FOLLOW_LINKS),
                    Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(
                                Path dir, BasicFileAttributes attrs) {
                            return !dir.equals(classDir) && hidden(dir)
                                    ? FileVisitResult.SKIP_SUBTREE
                                    : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (hidden(file)) {
                                return FileVisitResult.CONTINUE;
                            }
                            if (attrs.isSymbolicLink()) {
                                // Following links, the walk sees a link only when it leads nowhere.
                                throw new DataException(
                                        file
                                                + " is a symbolic link that leads nowhere: remove"
                                                + " it or fix its target");
                            }
                            if (!attrs.isRegularFile() || !isImageName(file)) {
                                throw new DataException(
                                        file
                                                + " is not a PNG or JPEG image (.png, .jpg, .jpeg):"
                                                + " remove it or move it out of "
                                                + classDir.getParent());
                            }
                            files.add(file);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (e instanceof FileSystemLoopException) {
                                throw new DataException(
                                        file
                                                + " is a symbolic link that loops back to a folder"
                                                + " above it: remove the link");
                            }
                            throw new DataException(
                                    "cannot read " + file + ": " + e.getMessage(), e);
                        }
                    });
        } catch (IOException e) {
            throw new DataException("cannot list " + classDir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new DataException(
                    classDir
                            + " holds no images: put its .png or .jpg files there, or remove the"
                            + " folder");
        }
        Collections.sort(files);
        return files;
    }

    private static boolean hidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    private static boolean isImageName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
