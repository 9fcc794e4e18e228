package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {

    @TempDir Path dir;

    @Test
    void valuesMapToRoundedBytes() {
        assertEquals(0, ImageGrid.toByte(-1f));
        assertEquals(255, ImageGrid.toByte(1f));
        assertEquals(128, ImageGrid.toByte(0f)); // 127.5 rounds up
        assertEquals(0, ImageGrid.toByte(-3f));
        assertEquals(255, ImageGrid.toByte(7f));
        assertEquals(0, ImageGrid.toByte(Float.NaN));
        assertEquals(64, ImageGrid.toByte(-0.5f)); // 63.75
    }

    @Test
    void writesAGrayscalePngGridOfThePromisedSize() throws Exception {
        // 5 images of 2x3 pixels, image i filled with a value that maps to byte 50 * i
        float[] values = new float[5 * 2 * 3];
        for (int i = 0; i < 5; i++) {
            for (int p = 0; p < 6; p++) {
                values[i * 6 + p] = (50f * i) / 127.5f - 1;
            }
        }
        values[6 + 5] = 1; // image 1, pixel (y 1, x 2): white
        BufferedImage grid = ImageGrid.render(values, new Shape(5, 1, 2, 3), 3, 4);
        Path png = dir.resolve("out/grid.png");
        ImageGrid.writePng(grid, png);

        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals(3 * 3 * 4, read.getWidth());
        assertEquals(2 * 2 * 4, read.getHeight());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, read.getType());
        int[] pixel = new int[1];
        assertEquals(100, read.getRaster().getPixel(2 * 12 + 11, 7, pixel)[0]); // image 2, row 0
        assertEquals(150, read.getRaster().getPixel(3, 8 + 3, pixel)[0]); // image 3, row 1
        assertEquals(
                255,
                read.getRaster()
                        .getPixel(12 + 2 * 4 + 3, 4 + 3, pixel)[0]); // the white pixel, scaled
        assertEquals(
                50,
                read.getRaster().getPixel(12 + 2 * 4 - 1, 4 + 3, pixel)[0]); // its left neighbour
        assertEquals(0, read.getRaster().getPixel(2 * 12 + 5, 8 + 5, pixel)[0]); // empty sixth cell
        try (var files = Files.list(png.getParent())) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void rgbImagesKeepTheirChannels() throws Exception {
        float[] values = {
            1, 1, -1, -1, 1, -1
        }; // R = [1, 1], G = [-1, -1], B = [1, -1] for a 1x2 image
        Path png = dir.resolve("rgb.png");
        ImageGrid.writePng(ImageGrid.render(values, new Shape(1, 3, 1, 2), 4, 1), png);
        BufferedImage read = ImageIO.read(png.toFile());
        assertArrayEquals(new int[] {255, 0, 255}, read.getRaster().getPixel(0, 0, new int[3]));
        assertArrayEquals(new int[] {255, 0, 0}, read.getRaster().getPixel(1, 0, new int[3]));
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> ImageGrid.render(new float[8], new Shape(2, 2, 1, 2), 1, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> ImageGrid.render(new float[3], new Shape(1, 1, 2, 2), 1, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> ImageGrid.render(new float[4], new Shape(1, 1, 2, 2), 0, 1));
    }
}
