package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GifWriterTest {

    @TempDir Path dir;

    private static BufferedImage gradient(int width, int height, int offset) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, (offset + 7 * x + 31 * y) % 256);
            }
        }
        return image;
    }

    @Test
    void writesALoopingAnimationThatDecodesToTheSameFrames() throws Exception {
        List<BufferedImage> frames = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            frames.add(gradient(40, 12, 60 * i));
        }
        Path gif = dir.resolve("gifs/anim.gif");
        GifWriter.write(frames, 50, 2000, gif);

        DecodedGif decoded = DecodedGif.read(gif);
        assertEquals(4, decoded.frames().size());
        assertEquals(List.of(5, 5, 5, 200), decoded.delays());
        assertEquals(0, decoded.loopCount());
        for (int i = 0; i < 4; i++) {
            assertEquals(40, decoded.frames().get(i).getWidth());
            assertEquals(12, decoded.frames().get(i).getHeight());
            assertArrayEquals(
                    DecodedGif.grayLevels(frames.get(i)),
                    DecodedGif.grayLevels(decoded.frames().get(i)),
                    "frame " + i);
        }
    }

    @Test
    void framesMustBeGrayAndOfOneSize() {
        assertThrows(
                IllegalArgumentException.class,
                () -> GifWriter.write(List.of(), 10, 10, dir.resolve("a.gif")));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        GifWriter.write(
                                List.of(gradient(4, 4, 0), gradient(4, 5, 0)),
                                10,
                                10,
                                dir.resolve("b.gif")));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        GifWriter.write(
                                List.of(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB)),
                                10,
                                10,
                                dir.resolve("c.gif")));
    }
}
