package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.testing.MnistFolderScript;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Color MNIST as the script writes it (the digit is the class, the color random), and the script's
 * measurement of the colors of a grid of samples against the data's.
 */
class ColorMnistTest {

    @TempDir Path tmp;

    @Test
    void theDataSetHoldsMnistsDigitsInColorAndTheMeasurementJudgesGrids() throws Exception {
        int limit = 300;
        Path data = MnistFolderScript.color(tmp.resolve("color-mnist"), limit);
        ImageFolder folder = ImageFolder.scan(data);
        LabeledImages color = folder.load(true, 3, 32);
        LabeledImages mnist = MnistDataset.load(Path.of("data/mnist"), true);
        for (int i = 0; i < limit; i++) {
            assertEquals(mnist.label(i), color.label(i), "the class is the digit");
        }

        // The test images themselves, as a grid of 32x32 cells: shares as in the data.
        LabeledImages test = folder.load(false, 3, 32);
        Path real = grid(test, 0, tmp.resolve("real.png"));
        MnistFolderScript.Result same =
                MnistFolderScript.run("shares", data.toString(), real.toString(), "32");
        assertEquals(0, same.exit(), same.output());
        assertTrue(same.output().contains("within 0.5x-2x"), same.output());

        // Only red digits: every other color is missing, far outside 0.5x-2x.
        List<Integer> red = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            byte[] p = test.pixels(i);
            int plane = 32 * 32;
            long r = 0;
            long g = 0;
            for (int k = 0; k < plane; k++) {
                r += p[k] & 0xff;
                g += p[plane + k] & 0xff;
            }
            if (r > 2 * g) {
                red.add(i);
            }
        }
        assertTrue(red.size() > 10, "some red digits among " + test.size());
        Path onlyRed = grid(test, red, tmp.resolve("red.png"));
        MnistFolderScript.Result skewed =
                MnistFolderScript.run("shares", data.toString(), onlyRed.toString(), "32");
        assertEquals(1, skewed.exit(), skewed.output());
        assertTrue(skewed.output().contains("outside 0.5x-2x"), skewed.output());
    }

    private static Path grid(LabeledImages images, int from, Path png) throws IOException {
        List<Integer> all = new ArrayList<>();
        for (int i = from; i < images.size(); i++) {
            all.add(i);
        }
        return grid(images, all, png);
    }

    /** The images at {@code indices} in a grid of 10 columns, as {@code ddpm sample} writes it. */
    private static Path grid(LabeledImages images, List<Integer> indices, Path png)
            throws IOException {
        int size = images.imageSize();
        int rows = (indices.size() + 9) / 10;
        BufferedImage grid =
                new BufferedImage(10 * size, rows * size, BufferedImage.TYPE_3BYTE_BGR);
        int plane = size * size;
        for (int n = 0; n < indices.size(); n++) {
            byte[] p = images.pixels(indices.get(n));
            for (int k = 0; k < plane; k++) {
                int rgb =
                        (p[k] & 0xff) << 16
                                | (p[plane + k] & 0xff) << 8
                                | (p[2 * plane + k] & 0xff);
                grid.setRGB((n % 10) * size + k % size, (n / 10) * size + k / size, rgb);
            }
        }
        ImageIO.write(grid, "png", png.toFile());
        return png;
    }
}
