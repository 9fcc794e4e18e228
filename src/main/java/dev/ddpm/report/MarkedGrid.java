package dev.ddpm.report;

import dev.ddpm.eval.Evaluator;
import dev.ddpm.io.ImageGrid;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * The images an evaluation judged, laid out as {@code eval}'s PNG (rows of up to 100), in colour,
 * with a red frame around each image the classifier assigned to another class.
 */
final class MarkedGrid {

    static final Color MARK = new Color(0xd62728);

    private MarkedGrid() {}

    /** Rows of up to 100 images per class; small grids at twice the size, to be seen. */
    static BufferedImage render(Evaluator.Result result) {
        int perClass = result.report().imagesPerDigit();
        int columns = Math.min(perClass, 100);
        int scale = columns <= 25 ? 2 : 1;
        BufferedImage gray =
                ImageGrid.render(result.images(), result.imagesShape(), columns, scale);
        BufferedImage marked =
                new BufferedImage(gray.getWidth(), gray.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = marked.createGraphics();
        try {
            g.drawImage(gray, 0, 0, null);
            g.setColor(MARK);
            g.setStroke(new BasicStroke(scale));
            int cell = (int) result.imagesShape().get(3) * scale;
            // the stroke is centred on the outline: keep it inside the cell
            int inset = scale / 2;
            for (int i = 0; i < result.predicted().length; i++) {
                if (result.misclassified(i)) {
                    g.drawRect(
                            (i % columns) * cell + inset,
                            (i / columns) * cell + inset,
                            cell - 2 * inset - 1,
                            cell - 2 * inset - 1);
                }
            }
        } finally {
            g.dispose();
        }
        return marked;
    }
}
