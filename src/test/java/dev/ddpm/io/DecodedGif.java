package dev.ddpm.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/**
 * An animated GIF as the JDK's own reader sees it: frames, delays (1/100 s) and the NETSCAPE loop
 * count.
 */
public record DecodedGif(List<BufferedImage> frames, List<Integer> delays, int loopCount) {

    private static final String FORMAT = "javax_imageio_gif_image_1.0";

    public static DecodedGif read(Path gif) throws IOException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            reader.setInput(in);
            int count = reader.getNumImages(true);
            List<BufferedImage> frames = new ArrayList<>();
            List<Integer> delays = new ArrayList<>();
            int loopCount = -1;
            for (int i = 0; i < count; i++) {
                frames.add(reader.read(i));
                IIOMetadataNode root =
                        (IIOMetadataNode) reader.getImageMetadata(i).getAsTree(FORMAT);
                for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n.getNodeName().equals("GraphicControlExtension")) {
                        delays.add(
                                Integer.parseInt(((IIOMetadataNode) n).getAttribute("delayTime")));
                    }
                    if (n.getNodeName().equals("ApplicationExtensions")) {
                        for (Node a = n.getFirstChild(); a != null; a = a.getNextSibling()) {
                            IIOMetadataNode app = (IIOMetadataNode) a;
                            if ("NETSCAPE".equals(app.getAttribute("applicationID"))) {
                                byte[] data = (byte[]) app.getUserObject();
                                loopCount = (data[1] & 0xff) | (data[2] & 0xff) << 8;
                            }
                        }
                    }
                }
            }
            return new DecodedGif(frames, delays, loopCount);
        } finally {
            reader.dispose();
        }
    }

    /**
     * The gray level of every pixel, row by row: the sample of a gray image (its colour space is
     * linear, so {@code getRGB} would gamma-correct it), the red channel of a palette image's
     * colour.
     */
    public static int[] grayLevels(BufferedImage image) {
        boolean gray = image.getType() == BufferedImage.TYPE_BYTE_GRAY;
        int[] levels = new int[image.getWidth() * image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                levels[y * image.getWidth() + x] =
                        gray
                                ? image.getRaster().getSample(x, y, 0)
                                : (image.getRGB(x, y) >> 16) & 0xff;
            }
        }
        return levels;
    }
}
