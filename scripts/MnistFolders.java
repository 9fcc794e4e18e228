import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * MNIST as labeled image folders for {@code train.dataset=folder}, and the measurement of a color
 * model's colors. Run with Java 17 or later, no build needed ({@code java scripts/MnistFolders.java
 * ...}); it reads the official {@code *.gz} IDX files or their unpacked versions and refuses an OUT
 * that exists. Every image is named by its index in its IDX file (five digits).
 *
 * <p>{@code gray MNIST_DIR OUT [--limit N]} writes MNIST itself: {@code OUT/train/<digit>/<index>.png}
 * from the training files and {@code OUT/test/<digit>/<index>.png} from the test files, each the
 * 28x28 grayscale PNG of the digit's bytes, so that the folder holds exactly MNIST.
 *
 * <p>{@code color MNIST_DIR OUT [--limit N]} writes Color MNIST, in the same layout {@code OUT/train/<digit>/<index>.png} and {@code
 * OUT/test/<digit>/<index>.png}: each digit drawn in a color picked at random per image (seed 0,
 * uniformly) from the six colors of {@link #PALETTE} on the dark background {@link #BACKGROUND},
 * pixel {@code = background + (color - background) * v / 255} for MNIST's gray value {@code v}. The
 * class is the digit; the color is free, so a conditional model must learn to draw every color.
 *
 * <p>{@code shares DATA_DIR GRID.png CELL} measures how often each palette color occurs among the
 * training images of {@code DATA_DIR} and among the images of a sample grid (cells of {@code CELL x
 * CELL} pixels, e.g. {@code ddpm sample --all-classes --n 100 --scale 1}: 32), and checks that each
 * color's share among the samples is within 0.5x to 2x its share in the data (exit status 1 when
 * not). An image's color is the palette color closest in direction (cosine) to the brightness-weighted
 * mean of {@code pixel - background} over its pixels; an image with no pixel brighter than the
 * background by {@value #INK} counts as blank.
 *
 * <pre>
 *   java scripts/MnistFolders.java gray data/mnist data/mnist-png
 *   java scripts/MnistFolders.java gray data/mnist /tmp/mnist-png --limit 500   # the first 500 of each split
 *   java scripts/MnistFolders.java color data/mnist data/color-mnist
 *   java scripts/MnistFolders.java shares data/color-mnist samples/all-classes.png 32
 * </pre>
 */
public final class MnistFolders {

    static final String[] NAMES = {"red", "green", "blue", "yellow", "magenta", "cyan"};

    static final int[][] PALETTE = {
        {240, 70, 70}, {70, 220, 90}, {80, 120, 255}, {240, 220, 60}, {230, 80, 230}, {70, 220, 230}
    };

    static final int[] BACKGROUND = {16, 16, 24};

    /** Brightness above the background that counts as ink. */
    static final int INK = 40;

    public static void main(String[] args) throws IOException {
        boolean writing =
                (args.length == 3 || args.length == 5 && args[3].equals("--limit"))
                        && (args[0].equals("gray") || args[0].equals("color"));
        if (writing) {
            int limit = args.length == 5 ? Integer.parseInt(args[4]) : Integer.MAX_VALUE;
            make(Path.of(args[1]), Path.of(args[2]), limit, args[0].equals("color"));
        } else if (args.length == 4 && args[0].equals("shares")) {
            System.exit(shares(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3])) ? 0 : 1);
        } else {
            System.err.println(
                    "usage: java scripts/MnistFolders.java gray|color MNIST_DIR OUT [--limit N]\n"
                            + "       java scripts/MnistFolders.java shares DATA_DIR GRID.png CELL");
            System.exit(2);
        }
    }

    static void make(Path mnist, Path out, int limit, boolean color) throws IOException {
        if (Files.exists(out)) {
            System.err.println(out + " exists: remove it first, or name another folder");
            System.exit(2);
        }
        // Separate streams, so that the colors of the first N images do not depend on --limit.
        SplittableRandom trainColors = color ? new SplittableRandom(0) : null;
        SplittableRandom testColors = color ? new SplittableRandom(1) : null;
        int written = write(mnist, "train", out.resolve("train"), limit, trainColors);
        written += write(mnist, "t10k", out.resolve("test"), limit, testColors);
        System.out.println(written + " images written to " + out);
    }

    /**
     * Writes the first {@code limit} images of one split, gray or (with {@code colors}) in color;
     * returns how many.
     */
    private static int write(Path mnist, String prefix, Path split, int limit, SplittableRandom colors)
            throws IOException {
        byte[] images = read(mnist, prefix + "-images-idx3-ubyte", 0x00000803);
        byte[] labels = read(mnist, prefix + "-labels-idx1-ubyte", 0x00000801);
        int count = Math.min(limit, labels.length);
        for (int digit = 0; digit < 10; digit++) {
            Files.createDirectories(split.resolve(Integer.toString(digit)));
        }
        for (int i = 0; i < count; i++) {
            BufferedImage image;
            if (colors == null) {
                image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                byte[] digit = new byte[784];
                System.arraycopy(images, i * 784, digit, 0, 784);
                image.getRaster().setDataElements(0, 0, 28, 28, digit);
            } else {
                int[] color = PALETTE[colors.nextInt(PALETTE.length)];
                image = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 784; p++) {
                    int v = images[i * 784 + p] & 0xff;
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        rgb = rgb << 8 | (BACKGROUND[c] + ((color[c] - BACKGROUND[c]) * v + 127) / 255);
                    }
                    image.setRGB(p % 28, p / 28, rgb);
                }
            }
            Path file = split.resolve(Integer.toString(labels[i])).resolve(String.format("%05d.png", i));
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        }
        return count;
    }

    static boolean shares(Path data, Path grid, int cell) throws IOException {
        long[] inData = new long[NAMES.length + 1];
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data.resolve("train"))) {
            files = walk.filter(p -> p.toString().endsWith(".png")).toList();
        }
        for (Path file : files) {
            BufferedImage image = ImageIO.read(file.toFile());
            inData[colorOf(image, 0, 0, image.getWidth())]++;
        }
        BufferedImage samples = ImageIO.read(grid.toFile());
        long[] inSamples = new long[NAMES.length + 1];
        for (int top = 0; top + cell <= samples.getHeight(); top += cell) {
            for (int left = 0; left + cell <= samples.getWidth(); left += cell) {
                inSamples[colorOf(samples, left, top, cell)]++;
            }
        }
        long dataTotal = files.size();
        long sampleTotal = 0;
        for (long n : inSamples) {
            sampleTotal += n;
        }
        System.out.printf(
                Locale.ROOT, "%d training images, %d samples (cells of %dx%d)%n", dataTotal, sampleTotal, cell, cell);
        System.out.printf(Locale.ROOT, "%-8s %8s %8s %7s%n", "color", "data", "samples", "ratio");
        boolean ok = true;
        for (int c = 0; c <= NAMES.length; c++) {
            double d = (double) inData[c] / dataTotal;
            double s = (double) inSamples[c] / sampleTotal;
            double ratio = d == 0 ? Double.NaN : s / d;
            boolean within = c == NAMES.length || (ratio >= 0.5 && ratio <= 2);
            ok &= within;
            System.out.printf(
                    Locale.ROOT,
                    "%-8s %7.1f%% %7.1f%% %7s%s%n",
                    c == NAMES.length ? "blank" : NAMES[c],
                    100 * d,
                    100 * s,
                    d == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", ratio),
                    within ? "" : "  outside 0.5x-2x");
        }
        System.out.println(ok ? "every color's share is within 0.5x-2x of the data's" : "FAILED");
        return ok;
    }

    /** The palette index of the image in the square at (left, top), or NAMES.length for blank. */
    static int colorOf(BufferedImage image, int left, int top, int side) {
        double[] mean = new double[3];
        boolean ink = false;
        for (int y = top; y < top + side; y++) {
            for (int x = left; x < left + side; x++) {
                int rgb = image.getRGB(x, y);
                double[] d = new double[3];
                double bright = 0;
                for (int c = 0; c < 3; c++) {
                    d[c] = ((rgb >> (16 - 8 * c)) & 0xff) - BACKGROUND[c];
                    bright = Math.max(bright, d[c]);
                }
                if (bright >= INK) {
                    ink = true;
                    for (int c = 0; c < 3; c++) {
                        mean[c] += d[c] * bright;
                    }
                }
            }
        }
        if (!ink) {
            return NAMES.length;
        }
        int best = 0;
        double bestCos = -2;
        for (int p = 0; p < PALETTE.length; p++) {
            double dot = 0;
            double norm = 0;
            double meanNorm = 0;
            for (int c = 0; c < 3; c++) {
                double v = PALETTE[p][c] - BACKGROUND[c];
                dot += v * mean[c];
                norm += v * v;
                meanNorm += mean[c] * mean[c];
            }
            double cos = dot / Math.sqrt(norm * meanNorm);
            if (cos > bestCos) {
                bestCos = cos;
                best = p;
            }
        }
        return best;
    }

    /** The payload of an IDX file (after its header), from NAME.gz or NAME. */
    static byte[] read(Path dir, String name, int magic) throws IOException {
        Path gz = dir.resolve(name + ".gz");
        byte[] raw = Files.exists(gz) ? Files.readAllBytes(gz) : Files.readAllBytes(dir.resolve(name));
        try (InputStream in =
                Files.exists(gz)
                        ? new GZIPInputStream(new ByteArrayInputStream(raw))
                        : new ByteArrayInputStream(raw)) {
            DataInputStream data = new DataInputStream(in);
            if (data.readInt() != magic) {
                throw new IOException(name + " is not an IDX file of the expected kind");
            }
            int count = data.readInt();
            int size = magic == 0x00000803 ? data.readInt() * data.readInt() : 1;
            byte[] payload = new byte[Math.multiplyExact(count, size)];
            data.readFully(payload);
            return payload;
        }
    }
}
