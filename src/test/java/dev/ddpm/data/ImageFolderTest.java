package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.ddpm.app.TrainingSet;
import dev.ddpm.app.Workspace;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.testing.MnistFolderScript;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image folders: order, splits, channels, sizes, and every malformed folder refused in one line.
 */
class ImageFolderTest {

    @TempDir Path root;

    /** Writes a {@code w x h} image whose pixel (x, y) has {@code value(x, y)} as 0xRRGGBB. */
    interface Pixels {
        int rgb(int x, int y);
    }

    static Path png(Path file, int w, int h, boolean gray, Pixels pixels) throws IOException {
        return image(file, w, h, gray, pixels, "png");
    }

    static Path image(Path file, int w, int h, boolean gray, Pixels pixels, String format)
            throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image =
                new BufferedImage(
                        w, h, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (gray) {
                    image.getRaster().setSample(x, y, 0, pixels.rgb(x, y) & 0xff);
                } else {
                    image.setRGB(x, y, pixels.rgb(x, y));
                }
            }
        }
        assertTrue(ImageIO.write(image, format, file.toFile()), format);
        return file;
    }

    /** {@code n} 8x8 gray images in {@code split/name}, image i filled with value {@code i}. */
    private void images(String split, String name, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            int value = i;
            png(
                    root.resolve(split).resolve(name).resolve(String.format("%03d.png", i)),
                    8,
                    8,
                    true,
                    (x, y) -> value);
        }
    }

    @Test
    void classesAreTheSortedFolderNamesAndImagesComeInPathOrderThenClassOrder() throws IOException {
        images("train", "zebra", 3);
        images("train", "ant", 2);
        images("train", "Mole", 1);
        png(root.resolve("train/ant/nested/deeper/000.png"), 8, 8, true, (x, y) -> 200);
        Files.writeString(root.resolve("train/ant/.DS_Store"), "hidden files are ignored");
        Files.createDirectories(root.resolve("train/.cache"));
        images("test", "zebra", 1);
        images("test", "ant", 1);
        images("test", "Mole", 1);

        ImageFolder folder = ImageFolder.scan(root);
        assertEquals(List.of("Mole", "ant", "zebra"), folder.classes());
        assertFalse(folder.heldOut());
        LabeledImages train = folder.load(true, 1, 8);
        assertEquals(7, train.size());
        assertArrayEquals(new int[] {1, 3, 3}, train.classCounts());
        int[] labels = new int[train.size()];
        int[] firstPixel = new int[train.size()];
        for (int i = 0; i < train.size(); i++) {
            labels[i] = train.label(i);
            firstPixel[i] = train.pixels(i)[0] & 0xff;
        }
        // By path inside the class folder, then by class: 000.png of Mole, ant and zebra, 001.png
        // of
        // ant and zebra, zebra's 002.png, ant's nested/deeper/000.png.
        assertArrayEquals(new int[] {0, 1, 2, 1, 2, 2, 1}, labels);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2, 200}, firstPixel);
        assertEquals(3, folder.load(false, 1, 8).size());
        assertEquals(List.of("Mole", "ant", "zebra"), train.classes());
    }

    @Test
    void withoutTestFolderATenthOfEachClassIsHeldOutTheSameWayEveryTime() throws IOException {
        images("train", "a", 30);
        images("train", "b", 7);
        images("train", "c", 1);
        ImageFolder folder = ImageFolder.scan(root);
        assertTrue(folder.heldOut());
        assertEquals(3 + 1, folder.count(false));
        assertEquals(38 - 4, folder.count(true));
        assertTrue(folder.describeSplits().contains("10% of each class"), folder.describeSplits());
        LabeledImages train = folder.load(true, 1, 8);
        LabeledImages test = folder.load(false, 1, 8);
        assertArrayEquals(new int[] {27, 6, 1}, train.classCounts());
        assertArrayEquals(new int[] {3, 1, 0}, test.classCounts());
        // Disjoint, and together every image of the class (each image has its own value).
        Set<Integer> a = new HashSet<>();
        for (LabeledImages split : List.of(train, test)) {
            for (int i = 0; i < split.size(); i++) {
                if (split.label(i) == 0) {
                    assertTrue(a.add(split.pixels(i)[0] & 0xff));
                }
            }
        }
        assertEquals(30, a.size());
        ImageFolder again = ImageFolder.scan(root);
        assertEquals(test.contentKey(), again.load(false, 1, 8).contentKey());
        assertEquals(0, ImageFolder.heldOutCount(1));
        assertEquals(1, ImageFolder.heldOutCount(2));
        assertEquals(10, ImageFolder.heldOutCount(100));
    }

    @Test
    void colorImagesBecomeGrayWithPillowsLumaAndGrayImagesBecomeThreeEqualChannels()
            throws IOException {
        int r = 200;
        int g = 100;
        int b = 50;
        png(root.resolve("train/rgb/0.png"), 4, 4, false, (x, y) -> r << 16 | g << 8 | b);
        png(root.resolve("train/gray/0.png"), 4, 4, true, (x, y) -> 77);
        ImageFolder folder = ImageFolder.scan(root);
        LabeledImages gray = folder.load(true, 1, 4);
        int luma = (19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16;
        assertEquals(List.of("gray", "rgb"), gray.classes());
        assertEquals(77, gray.pixels(0)[5] & 0xff);
        assertEquals(luma, gray.pixels(1)[5] & 0xff);
        LabeledImages rgb = folder.load(true, 3, 4);
        byte[] grayAsRgb = rgb.pixels(0);
        byte[] color = rgb.pixels(1);
        for (int c = 0; c < 3; c++) {
            assertEquals(77, grayAsRgb[c * 16 + 5] & 0xff);
            assertEquals(new int[] {r, g, b}[c], color[c * 16 + 5] & 0xff);
        }
        assertEquals(3 * 4 * 4, color.length);
    }

    @Test
    void imagesAreResizedLikeMnistAndNonSquareOnesCentreCropped() throws IOException {
        Pixels ramp = (x, y) -> (x * 7 + y * 3) & 0xff;
        png(root.resolve("train/a/square.png"), 28, 28, true, ramp);
        png(root.resolve("train/b/wide.png"), 40, 20, true, ramp);
        ImageFolder folder = ImageFolder.scan(root);
        for (int size : new int[] {32, 64}) {
            LabeledImages images = folder.load(true, 1, size);
            assertEquals(size, images.imageSize());
            byte[] source = new byte[28 * 28];
            for (int i = 0; i < source.length; i++) {
                source[i] = (byte) ramp.rgb(i % 28, i / 28);
            }
            PilBilinearResize resize = new PilBilinearResize(28, 28, size, size);
            byte[] expected = new byte[size * size];
            resize.resize(source, 0, expected, 0, new byte[resize.scratchBytes()]);
            assertArrayEquals(expected, images.pixels(0), "the resize MNIST goes through");

            // 40x20: the short side becomes `size`, the long one 2 * size; the centre is kept.
            byte[] wide = new byte[20 * 40];
            for (int i = 0; i < wide.length; i++) {
                wide[i] = (byte) ramp.rgb(i % 40, i / 40);
            }
            PilBilinearResize stretch = new PilBilinearResize(20, 40, size, 2 * size);
            byte[] resized = new byte[2 * size * size];
            stretch.resize(wide, 0, resized, 0, new byte[stretch.scratchBytes()]);
            byte[] centre = new byte[size * size];
            for (int y = 0; y < size; y++) {
                System.arraycopy(resized, y * 2 * size + size / 2, centre, y * size, size);
            }
            assertArrayEquals(centre, images.pixels(1));
        }
    }

    @Test
    void jpegFilesAreRead() throws IOException {
        image(root.resolve("train/a/0.jpg"), 16, 16, false, (x, y) -> 0x808080, "jpg");
        image(root.resolve("train/b/0.JPEG"), 16, 16, true, (x, y) -> 10, "jpeg");
        LabeledImages images = ImageFolder.scan(root).load(true, 3, 16);
        assertEquals(2, images.size());
        // 0.JPEG sorts before 0.jpg: class b first.
        assertEquals(1, images.label(0));
        assertTrue(Math.abs((images.pixels(0)[0] & 0xff) - 10) <= 2);
        assertTrue(Math.abs((images.pixels(1)[0] & 0xff) - 128) <= 2);
    }

    @Test
    void malformedFoldersAreRefusedInOneLineNamingThePath() throws IOException {
        assertRefused(() -> ImageFolder.scan(root.resolve("nowhere")), "does not exist");
        assertRefused(() -> ImageFolder.scan(root), "has no train/ folder");
        Files.createDirectories(root.resolve("train"));
        assertRefused(() -> ImageFolder.scan(root), "holds no class folders");
        images("train", "only", 2);
        assertRefused(() -> ImageFolder.scan(root), "holds one class folder (only)");
        Files.createDirectories(root.resolve("train/empty"));
        assertRefused(
                () -> ImageFolder.scan(root), root.resolve("train/empty") + " holds no images");
        images("train", "empty", 1);

        Path notes = Files.writeString(root.resolve("train/only/notes.txt"), "x");
        assertRefused(() -> ImageFolder.scan(root), notes + " is not a PNG or JPEG image");
        Files.delete(notes);
        Path stray = Files.writeString(root.resolve("train/stray.png"), "x");
        assertRefused(() -> ImageFolder.scan(root), stray + " is a file directly in");
        Files.delete(stray);

        Path fake = Files.writeString(root.resolve("train/only/fake.png"), "not an image");
        assertRefused(() -> loadBoth(root), fake + " is not a PNG");
        Files.delete(fake);

        Path whole = png(root.resolve("train/only/cut.png"), 64, 64, false, (x, y) -> x * y);
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(whole, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(
                () -> loadBoth(root), whole + " cannot be decoded, it is truncated or damaged");
        Path jpeg =
                image(root.resolve("train/only/cut.jpg"), 64, 64, false, (x, y) -> x * y, "jpg");
        Files.delete(whole);
        bytes = Files.readAllBytes(jpeg);
        Files.write(jpeg, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(
                () -> loadBoth(root), jpeg + " cannot be decoded, it is truncated or damaged");
        Files.delete(jpeg);

        Path loop =
                Files.createSymbolicLink(root.resolve("train/only/loop"), root.resolve("train"));
        assertRefused(() -> ImageFolder.scan(root), "is a symbolic link that loops");
        Files.delete(loop);
        Path dangling =
                Files.createSymbolicLink(root.resolve("train/only/gone.png"), root.resolve("gone"));
        assertRefused(() -> ImageFolder.scan(root), dangling + " is a symbolic link that leads");
        Files.delete(dangling);

        images("test", "only", 1);
        assertRefused(() -> ImageFolder.scan(root), "both need the same class folders");
        images("test", "empty", 1);
        assertEquals(2, ImageFolder.scan(root).classes().size());
    }

    @Test
    void aModelThatDoesNotFitTheFolderIsRefusedBeforeDecoding() throws IOException {
        images("train", "a", 2);
        images("train", "b", 2);
        images("train", "c", 2);
        assertRefused(
                () -> loadWith(),
                "model.num_classes=10 does not fit "
                        + root
                        + ", which has 3 classes [a, b, c]: use --set model.num_classes=3");
        assertRefused(
                () -> loadWith("model.num_classes", "3", "model.in_channels", "2"),
                "model.in_channels=2 does not fit an image folder");
        assertRefused(
                () -> loadWith("model.num_classes", "3", "train.train_limit", "4"),
                "train.train_limit applies to MNIST");
        LabeledImages loaded =
                loadWith(
                        "model.num_classes",
                        "3",
                        "model.in_channels",
                        "3",
                        "model.image_size",
                        "64");
        assertEquals(3, loaded.channels());
        assertEquals(64, loaded.imageSize());
    }

    /**
     * The folder the repository's script writes holds exactly the images and labels of MNIST, in
     * MNIST's order, and gives exactly its tensors.
     */
    @Test
    void mnistWrittenAsAFolderByTheScriptLoadsAsTheBuiltInLoaderDoes() throws Exception {
        int limit = 600;
        Path out = MnistFolderScript.gray(root.resolve("mnist-png"), limit);
        ImageFolder folder = ImageFolder.scan(out);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), folder.classes());
        assertFalse(folder.heldOut());
        for (boolean train : new boolean[] {true, false}) {
            LabeledImages loaded = folder.load(train, 1, 32);
            LabeledImages builtIn = MnistDataset.load(Path.of("data/mnist"), train);
            assertEquals(limit, loaded.size());
            int[] indices = new int[limit];
            for (int i = 0; i < limit; i++) {
                assertEquals(builtIn.label(i), loaded.label(i), "label " + i);
                assertArrayEquals(builtIn.pixels(i), loaded.pixels(i), "image " + i);
                indices[i] = i;
            }
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                NDList a = loaded.batch(manager, indices);
                NDList b = builtIn.batch(manager, indices);
                assertArrayEquals(b.get(0).toFloatArray(), a.get(0).toFloatArray());
                assertArrayEquals(b.get(1).toLongArray(), a.get(1).toLongArray());
            }
        }
    }

    /** The training split of this folder, with the configuration keys and values given. */
    private LabeledImages loadWith(String... keysAndValues) {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        all.put("train.dataset", "folder");
        all.put("train.data_dir", root.toString());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            all.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return TrainingSet.load(Workspace.current(), ConfigLoader.load(null, all));
    }

    /** Decodes both splits (a file may land in either). */
    private static void loadBoth(Path root) {
        ImageFolder folder = ImageFolder.scan(root);
        folder.load(true, 1, 8);
        folder.load(false, 1, 8);
    }

    static void assertRefused(Executable call, String expected) {
        UserException e = assertThrows(UserException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
