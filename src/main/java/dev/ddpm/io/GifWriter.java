package dev.ddpm.io;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes an animated GIF of grayscale or RGB frames with the JDK's own GIF writer: a 256-level gray
 * palette for gray frames (so gray images lose nothing), a fixed palette of 6 x 7 x 6 levels of
 * red, green and blue for color frames (each pixel takes the nearest level of each channel), a
 * NETSCAPE2.0 application extension that makes viewers loop forever, one delay for every frame and
 * a longer one for the last, so the final image stays on screen. The file is written atomically.
 */
public final class GifWriter {

    private static final String FORMAT = "javax_imageio_gif_image_1.0";
    private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
    private static final IndexColorModel GRAY = grayPalette();
    private static final int[] LEVELS = {6, 7, 6};
    private static final IndexColorModel COLOR = colorPalette();

    private GifWriter() {}

    /**
     * @param frames grayscale images ({@link BufferedImage#TYPE_BYTE_GRAY}) of one size, or RGB
     *     ones ({@link BufferedImage#TYPE_3BYTE_BGR})
     * @param frameDelayMillis how long each frame shows (GIF stores hundredths of a second)
     * @param lastFrameMillis how long the last frame shows before the loop starts again
     */
    public static void write(
            List<BufferedImage> frames, int frameDelayMillis, int lastFrameMillis, Path gif)
            throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a GIF needs at least one frame");
        }
        int width = frames.get(0).getWidth();
        int height = frames.get(0).getHeight();
        int type = frames.get(0).getType();
        IndexColorModel palette = type == BufferedImage.TYPE_3BYTE_BGR ? COLOR : GRAY;
        for (BufferedImage frame : frames) {
            if (frame.getType() != BufferedImage.TYPE_BYTE_GRAY
                            && frame.getType() != BufferedImage.TYPE_3BYTE_BGR
                    || frame.getType() != type) {
                throw new IllegalArgumentException(
                        "GIF frames must all be 8-bit grayscale images, or all RGB images");
            }
            if (frame.getWidth() != width || frame.getHeight() != height) {
                throw new IllegalArgumentException(
                        "GIF frames differ in size: "
                                + width
                                + "x"
                                + height
                                + " and "
                                + frame.getWidth()
                                + "x"
                                + frame.getHeight());
            }
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
        if (!writers.hasNext()) {
            throw new IOException("no GIF writer in this Java runtime");
        }
        ImageWriter writer = writers.next();
        try {
            AtomicFiles.write(
                    gif,
                    out -> {
                        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                            writer.setOutput(stream);
                            ImageWriteParam param = writer.getDefaultWriteParam();
                            writer.prepareWriteSequence(
                                    streamMetadata(writer, param, width, height, palette));
                            for (int i = 0; i < frames.size(); i++) {
                                BufferedImage indexed = indexed(frames.get(i), palette);
                                boolean last = i == frames.size() - 1;
                                IIOMetadata meta =
                                        metadata(
                                                writer,
                                                indexed,
                                                param,
                                                last ? lastFrameMillis : frameDelayMillis,
                                                i == 0);
                                writer.writeToSequence(new IIOImage(indexed, null, meta), param);
                            }
                            writer.endWriteSequence();
                        }
                    });
        } finally {
            writer.dispose();
        }
    }

    /**
     * The frame as palette indices: gray level {@code v} is index {@code v}; a color is the index
     * of its nearest level of red, green and blue.
     */
    private static BufferedImage indexed(BufferedImage frame, IndexColorModel palette) {
        BufferedImage indexed =
                new BufferedImage(
                        frame.getWidth(),
                        frame.getHeight(),
                        BufferedImage.TYPE_BYTE_INDEXED,
                        palette);
        if (palette == GRAY) {
            indexed.getRaster().setRect(frame.getRaster());
            return indexed;
        }
        int[] rgb = new int[3];
        for (int y = 0; y < frame.getHeight(); y++) {
            for (int x = 0; x < frame.getWidth(); x++) {
                frame.getRaster().getPixel(x, y, rgb);
                int index = 0;
                for (int c = 0; c < 3; c++) {
                    index = index * LEVELS[c] + Math.round(rgb[c] * (LEVELS[c] - 1) / 255f);
                }
                indexed.getRaster().setSample(x, y, 0, index);
            }
        }
        return indexed;
    }

    /** The palette as the global colour table (the writer's default would be a generic palette). */
    private static IIOMetadata streamMetadata(
            ImageWriter writer,
            ImageWriteParam param,
            int width,
            int height,
            IndexColorModel palette)
            throws IOException {
        IIOMetadata meta = writer.getDefaultStreamMetadata(param);
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(STREAM_FORMAT);
        IIOMetadataNode screen = child(root, "LogicalScreenDescriptor");
        screen.setAttribute("logicalScreenWidth", Integer.toString(width));
        screen.setAttribute("logicalScreenHeight", Integer.toString(height));
        screen.setAttribute("colorResolution", "8");
        screen.setAttribute("pixelAspectRatio", "0");
        IIOMetadataNode table = child(root, "GlobalColorTable");
        table.setAttribute("sizeOfGlobalColorTable", "256");
        table.setAttribute("backgroundColorIndex", "0");
        table.setAttribute("sortFlag", "FALSE");
        for (int i = 0; i < 256; i++) {
            IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
            entry.setAttribute("index", Integer.toString(i));
            entry.setAttribute("red", Integer.toString(palette.getRed(i)));
            entry.setAttribute("green", Integer.toString(palette.getGreen(i)));
            entry.setAttribute("blue", Integer.toString(palette.getBlue(i)));
            table.appendChild(entry);
        }
        meta.setFromTree(STREAM_FORMAT, root);
        return meta;
    }

    private static IIOMetadata metadata(
            ImageWriter writer,
            BufferedImage frame,
            ImageWriteParam param,
            int delayMillis,
            boolean first)
            throws IOException {
        IIOMetadata meta =
                writer.getDefaultImageMetadata(
                        ImageTypeSpecifier.createFromRenderedImage(frame), param);
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);
        IIOMetadataNode local = child(root, "LocalColorTable");
        root.removeChild(local); // every frame uses the global table
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("transparentColorIndex", "0");
        control.setAttribute(
                "delayTime", Integer.toString(Math.max(1, Math.round(delayMillis / 10f))));
        if (first) {
            IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
            loop.setAttribute("applicationID", "NETSCAPE");
            loop.setAttribute("authenticationCode", "2.0");
            loop.setUserObject(
                    new byte[] {1, 0, 0}); // sub-block 1, loop count 0 (little-endian) = forever
            child(root, "ApplicationExtensions").appendChild(loop);
        }
        meta.setFromTree(FORMAT, root);
        return meta;
    }

    private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
        for (int i = 0; i < parent.getLength(); i++) {
            if (parent.item(i).getNodeName().equals(name)) {
                return (IIOMetadataNode) parent.item(i);
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        parent.appendChild(node);
        return node;
    }

    private static IndexColorModel grayPalette() {
        byte[] levels = new byte[256];
        for (int i = 0; i < 256; i++) {
            levels[i] = (byte) i;
        }
        return new IndexColorModel(8, 256, levels, levels, levels);
    }

    /** Index {@code (r * 7 + g) * 6 + b} holds level r of 6, g of 7, b of 6; the rest is black. */
    private static IndexColorModel colorPalette() {
        byte[][] channels = new byte[3][256];
        int colors = LEVELS[0] * LEVELS[1] * LEVELS[2];
        for (int i = 0; i < colors; i++) {
            int rest = i;
            for (int c = 2; c >= 0; c--) {
                int level = rest % LEVELS[c];
                rest /= LEVELS[c];
                channels[c][i] = (byte) Math.round(level * 255f / (LEVELS[c] - 1));
            }
        }
        return new IndexColorModel(8, 256, channels[0], channels[1], channels[2]);
    }
}
