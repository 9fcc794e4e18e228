package dev.ddpm.data;

import dev.ddpm.io.ClassNames;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    private MnistDataset() {}

    /**
     * Reads the training (60,000) or test (10,000) split of {@code dataset} ({@code mnist} or
     * {@code fashion-mnist}) from {@code dataDir} (e.g. {@code data/mnist}), from the published
     * {@code *.gz} files or their unpacked versions. Each file must have the MD5 of the official
     * file of its name, where that is known, and the MD5 that the folder's {@code MD5SUMS} lists
     * for its name, if it lists one (see {@link MnistChecksums}).
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
     * {@link MnistFiles#folder} puts each dataset in a folder of its name, and any other folder
     * (eval's {@code --data-dir}) is taken to hold MNIST.
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
        Path imageFile = MnistFiles.existing(dataDir, prefix + "-images-idx3-ubyte.gz");
        Path labelFile = MnistFiles.existing(dataDir, prefix + "-labels-idx1-ubyte.gz");
        MnistChecksums sums = MnistChecksums.of(dataDir, officialMd5);
        byte[] labels = IdxReader.readLabels(labelFile, sums.check(labelFile));
        IdxImages source = IdxReader.readImages(imageFile, sums.check(imageFile));
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
}
