package dev.ddpm.data;

import dev.ddpm.common.UserException;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.io.ClassNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one split of MNIST or Fashion-MNIST from its IDX files, preprocessed as the reference does:
 * each 28x28 image resized to 32x32 with Pillow's bilinear filter (rounded to uint8, as the PIL
 * image that torchvision's ToTensor sees), into {@link LabeledImages}.
 */
public final class MnistDataset {

    private static final Logger LOG = LoggerFactory.getLogger(MnistDataset.class);

    /** Side of the images the model sees. */
    public static final int IMAGE_SIZE = 32;

    /** Side of the images in the files. */
    public static final int SOURCE_SIZE = 28;

    public static final int NUM_CLASSES = 10;

    private static final int IMAGE_BYTES = IMAGE_SIZE * IMAGE_SIZE;

    /** The class names: the digits, or the indices of Fashion-MNIST's classes. */
    private static final List<String> CLASSES = ClassNames.numbered(NUM_CLASSES);

    /** Optional list of the folder's files and their MD5, in the format of {@code md5sum}. */
    static final String MD5SUMS = "MD5SUMS";

    /**
     * An md5sum line: the sum, then two spaces, or a space and '*' for a file read in binary mode,
     * then the path.
     */
    private static final Pattern MD5SUMS_LINE = Pattern.compile("([0-9a-fA-F]{32}) [ *](.+?)\\s*");

    private MnistDataset() {}

    /**
     * The folder of a dataset under the data root: {@code data} and {@code mnist} give {@code
     * data/mnist}.
     */
    public static Path folder(Path dataRoot, String dataset) {
        return dataRoot.resolve(dataset);
    }

    /**
     * Reads the training (60,000) or test (10,000) split of {@code dataset} ({@code mnist} or
     * {@code fashion-mnist}) from {@code dataDir} (e.g. {@code data/mnist}), from the published
     * {@code *.gz} files or their unpacked versions. Each file must have the MD5 of the official
     * file of its name, where that is known, and the MD5 that the folder's {@value #MD5SUMS} lists
     * for its name, if it lists one.
     */
    public static LabeledImages load(Path dataDir, String dataset, boolean train) {
        return load(dataDir, dataset, train, 0);
    }

    /**
     * As {@link #load(Path, String, boolean)}, keeping only the first {@code limit} images (all
     * when 0): the files are read and checked whole, but only the images kept are resized and held.
     */
    public static LabeledImages load(Path dataDir, String dataset, boolean train, int limit) {
        return load(dataDir, train, MnistDownloader.officialMd5(dataset), limit);
    }

    /**
     * As {@link #load(Path, String, boolean)} for the dataset that {@code dataDir} is named after:
     * {@link #folder} puts each dataset in a folder of its name, and any other folder (eval's
     * {@code --data-dir}) is taken to hold MNIST.
     */
    public static LabeledImages load(Path dataDir, boolean train) {
        Path name = dataDir.toAbsolutePath().normalize().getFileName();
        boolean fashion = name != null && name.toString().equals("fashion-mnist");
        return load(dataDir, fashion ? "fashion-mnist" : "mnist", train);
    }

    /**
     * As {@link #load(Path, String, boolean)}, with {@code officialMd5} the sums of the official
     * files by name.
     */
    static LabeledImages load(Path dataDir, boolean train, Map<String, String> officialMd5) {
        return load(dataDir, train, officialMd5, 0);
    }

    private static LabeledImages load(
            Path dataDir, boolean train, Map<String, String> officialMd5, int limit) {
        long start = System.nanoTime();
        String prefix = train ? "train" : "t10k";
        Path imageFile = existing(dataDir, prefix + "-images-idx3-ubyte.gz");
        Path labelFile = existing(dataDir, prefix + "-labels-idx1-ubyte.gz");
        Map<String, String> listedMd5 = listedMd5(dataDir);
        byte[] labels =
                IdxReader.readLabels(labelFile, md5Check(labelFile, officialMd5, listedMd5));
        IdxImages source =
                IdxReader.readImages(imageFile, md5Check(imageFile, officialMd5, listedMd5));
        if (source.rows() != SOURCE_SIZE || source.cols() != SOURCE_SIZE) {
            throw new DataException(
                    imageFile
                            + " holds "
                            + source.rows()
                            + "x"
                            + source.cols()
                            + " images, expected "
                            + SOURCE_SIZE
                            + "x"
                            + SOURCE_SIZE
                            + " (MNIST / Fashion-MNIST)");
        }
        if (source.count() != labels.length) {
            throw new DataException(
                    imageFile
                            + " holds "
                            + source.count()
                            + " images but "
                            + labelFile
                            + " holds "
                            + labels.length
                            + " labels: the files do not belong together; download them again");
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= NUM_CLASSES) {
                throw new DataException(
                        labelFile
                                + " has label "
                                + (labels[i] & 0xff)
                                + " at index "
                                + i
                                + ", outside 0.."
                                + (NUM_CLASSES - 1)
                                + ": the file is corrupt; download it again");
            }
        }
        int kept = limit > 0 ? Math.min(limit, labels.length) : labels.length;
        int[] classes = new int[kept];
        for (int i = 0; i < kept; i++) {
            classes[i] = labels[i];
        }
        LabeledImages dataset =
                new LabeledImages(
                        resize(source, kept),
                        classes,
                        CLASSES,
                        1,
                        IMAGE_SIZE,
                        dataDir + " (" + (train ? "training" : "test") + " split)");
        LOG.debug(
                "loaded {} images from {} in {} ms",
                kept,
                imageFile,
                (System.nanoTime() - start) / 1_000_000);
        return dataset;
    }

    /**
     * Refuses a model that does not fit {@code dataset} ({@code mnist} or {@code fashion-mnist}):
     * its classes, image size and channels must be the dataset's. To be called before any work,
     * because otherwise the mismatch shows late or never: fewer classes silently turn the other
     * digits into "no label", another image size trains a model for images the dataset does not
     * have, other channel counts fail at the first step.
     *
     * @throws UserException naming the configuration key and the {@code --set} that fixes it
     */
    public static void requireFits(ModelConfig model, String dataset) {
        if (model.numClasses() != NUM_CLASSES) {
            throw new UserException(
                    "model.num_classes="
                            + model.numClasses()
                            + " does not fit "
                            + dataset
                            + ", which has "
                            + NUM_CLASSES
                            + " classes: use --set model.num_classes="
                            + NUM_CLASSES);
        }
        if (model.imageSize() != IMAGE_SIZE) {
            throw new UserException(
                    "model.image_size="
                            + model.imageSize()
                            + " does not fit "
                            + dataset
                            + ", whose images the model sees as "
                            + IMAGE_SIZE
                            + "x"
                            + IMAGE_SIZE
                            + ": use --set model.image_size="
                            + IMAGE_SIZE);
        }
        if (model.inChannels() != 1) {
            throw new UserException(
                    "model.in_channels="
                            + model.inChannels()
                            + " does not fit "
                            + dataset
                            + ", whose images have 1 channel (grayscale): use --set"
                            + " model.in_channels=1");
        }
    }

    /** Whether {@code dataDir} holds all the dataset's files, published or unpacked. */
    public static boolean hasAllFiles(Path dataDir) {
        return MnistDownloader.FILES.stream().allMatch(f -> find(dataDir, f) != null);
    }

    /**
     * Downloads the dataset's files that are missing from {@code dataDir} ({@code dataset} is
     * {@code mnist} or {@code fashion-mnist} and selects the mirrors and checksums).
     */
    public static void ensureFiles(Path dataDir, String dataset) {
        ensureFiles(dataDir, MnistDownloader.forDataset(dataset));
    }

    /** As {@link #ensureFiles(Path, String)}, with the given downloader. */
    public static void ensureFiles(Path dataDir, MnistDownloader downloader) {
        List<String> missing =
                MnistDownloader.FILES.stream().filter(f -> find(dataDir, f) == null).toList();
        if (!missing.isEmpty()) {
            LOG.info("{} missing in {}: downloading", String.join(", ", missing), dataDir);
            downloader.download(dataDir, missing);
        }
    }

    /** The first {@code count} images of {@code source}, resized. */
    private static byte[] resize(IdxImages source, int count) {
        PilBilinearResize resize =
                new PilBilinearResize(source.rows(), source.cols(), IMAGE_SIZE, IMAGE_SIZE);
        byte[] out = new byte[count * IMAGE_BYTES];
        int chunk = 1024;
        IntStream.range(0, (count + chunk - 1) / chunk)
                .parallel()
                .forEach(
                        c -> {
                            byte[] scratch = new byte[resize.scratchBytes()];
                            for (int i = c * chunk; i < Math.min(count, (c + 1) * chunk); i++) {
                                resize.resize(
                                        source.pixels(),
                                        i * source.imageBytes(),
                                        out,
                                        i * IMAGE_BYTES,
                                        scratch);
                            }
                        });
        return out;
    }

    /**
     * The check of {@code file}'s MD5 against the official file's and against its {@value #MD5SUMS}
     * entry. A file that matches the official sum but not its entry is intact, and the message says
     * so.
     */
    private static Consumer<String> md5Check(
            Path file, Map<String, String> officialMd5, Map<String, String> listedMd5) {
        String name = file.getFileName().toString();
        String official = officialMd5.get(name);
        String listed = listedMd5.get(name);
        Path listing = file.resolveSibling(MD5SUMS);
        String remedy =
                ": it is corrupt or modified; delete it and 'ddpm train' downloads it again, or"
                        + " copy the official file there";
        return md5 -> {
            if (official != null && !md5.equals(official)) {
                throw new DataException(
                        file
                                + " does not match the official file (MD5 "
                                + md5
                                + ", expected "
                                + official
                                + ")"
                                + remedy);
            }
            if (listed != null && !md5.equals(listed)) {
                throw new DataException(
                        official != null
                                ? file
                                        + " is the official file (MD5 "
                                        + md5
                                        + ") but "
                                        + listing
                                        + " lists "
                                        + listed
                                        + " for it: correct or delete that line of "
                                        + listing
                                : file
                                        + " does not match the official file (MD5 "
                                        + md5
                                        + ", expected "
                                        + listed
                                        + " as listed in "
                                        + listing
                                        + ")"
                                        + remedy);
            }
            if (official == null && listed == null) {
                LOG.debug("{}: no known MD5, read unchecked", file);
            } else {
                LOG.debug("{}: MD5 {} as expected", file, md5);
            }
        };
    }

    /**
     * The MD5 that {@code dataDir}'s {@value #MD5SUMS} lists for each file name (the paths in it
     * may start with a folder, e.g. {@code data/mnist/}); empty when there is no such file.
     */
    private static Map<String, String> listedMd5(Path dataDir) {
        Path listing = dataDir.resolve(MD5SUMS);
        if (!Files.exists(listing)) {
            return Map.of();
        }
        IdxReader.requireRegularFile(listing);
        List<String> lines;
        try {
            lines = Files.readAllLines(listing);
        } catch (IOException e) {
            throw new DataException("cannot read " + listing + ": " + e, e);
        }
        Map<String, String> md5 = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            Matcher entry = MD5SUMS_LINE.matcher(lines.get(i));
            if (!entry.matches()) {
                throw new DataException(
                        listing
                                + " line "
                                + (i + 1)
                                + " is not '<md5>  <file>' as md5sum writes it;"
                                + " correct or delete that line");
            }
            String path = entry.group(2);
            md5.put(
                    path.substring(path.lastIndexOf('/') + 1),
                    entry.group(1).toLowerCase(Locale.ROOT));
        }
        return md5;
    }

    private static Path existing(Path dataDir, String gzName) {
        Path file = find(dataDir, gzName);
        if (file == null) {
            throw new DataException(
                    dataDir.resolve(gzName)
                            + " does not exist: 'ddpm train' downloads it, or copy"
                            + " the official file (or its unpacked version) there");
        }
        return file;
    }

    /** The published {@code *.gz} file, else its unpacked version, else null. */
    private static Path find(Path dataDir, String gzName) {
        Path gz = dataDir.resolve(gzName);
        Path unpacked = dataDir.resolve(gzName.substring(0, gzName.length() - ".gz".length()));
        return Files.exists(gz) ? gz : Files.exists(unpacked) ? unpacked : null;
    }
}
