package dev.ddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ddpm.testing.Slow;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 tiny files: listed in one pass per folder and sorted (no scan per file), decoded in
 * parallel, held in memory at {@code channels x size x size + 4} bytes per image.
 */
@Slow
class ManyImagesTest {

    private static final int PER_CLASS = 50_000;

    @TempDir Path root;

    @Test
    void aHundredThousandTinyFilesLoadWithTheStatedMemory() throws IOException {
        for (String name : new String[] {"dark", "light"}) {
            BufferedImage pixel = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
            pixel.getRaster().setSample(0, 0, 0, name.equals("dark") ? 10 : 240);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(pixel, "png", png);
            Path dir = Files.createDirectories(root.resolve("train").resolve(name));
            for (int i = 0; i < PER_CLASS; i++) {
                Files.write(dir.resolve(String.format("%06d.png", i)), png.toByteArray());
            }
        }
        ImageFolder folder = ImageFolder.scan(root);
        assertEquals(2 * PER_CLASS - 2 * 5_000, folder.count(true));
        assertEquals(2 * 5_000, folder.count(false));
        LabeledImages train = folder.load(true, 1, 4);
        assertArrayEquals(new int[] {45_000, 45_000}, train.classCounts());
        assertEquals(90_000L * (4 * 4 + 4), train.bytes(), "16 pixel bytes and a label each");
        for (int i = 0; i < train.size(); i++) {
            assertEquals(train.label(i) == 0 ? 10 : 240, train.pixels(i)[15] & 0xff);
        }
    }
}
