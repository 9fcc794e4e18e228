package dev.ddpm.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Small labeled image folders written for a test: real PNG files, seeded content. */
public final class ImageFolders {

    private ImageFolders() {}

    /**
     * {@code root/train/<class>/<i>.png}: {@code perClass} RGB images of {@code size x size} per
     * class, class {@code c} a bright square of its own color at a random place on a dark
     * background.
     */
    public static Path colorSquares(Path root, List<String> classes, int perClass, int size) {
        SplittableRandom random = new SplittableRandom(classes.size() * 31L + perClass);
        try {
            for (int c = 0; c < classes.size(); c++) {
                Path dir = Files.createDirectories(root.resolve("train").resolve(classes.get(c)));
                int color = 0x3060f0 ^ (c * 0x5a3c1e) & 0xffffff;
                for (int i = 0; i < perClass; i++) {
                    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                    int side = size / 3;
                    int left = random.nextInt(size - side);
                    int top = random.nextInt(size - side);
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            boolean inside =
                                    x >= left && x < left + side && y >= top && y < top + side;
                            image.setRGB(x, y, inside ? color : 0x101018);
                        }
                    }
                    if (!ImageIO.write(image, "png", dir.resolve(i + ".png").toFile())) {
                        throw new IOException("no PNG writer");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }
}
