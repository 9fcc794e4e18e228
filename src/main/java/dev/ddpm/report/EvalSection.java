package dev.ddpm.report;

import dev.ddpm.eval.EvalReport;
import dev.ddpm.eval.Evaluator;
import java.nio.file.Path;
import java.util.Map;

/**
 * One evaluation as a section of a page: its settings, its numbers, the accuracy of every class,
 * and the images it judged with the misclassified ones framed in red. The run report shows its
 * latest in-training evaluation with it, and {@code ddpm eval} writes it as a page of its own.
 */
public final class EvalSection {

    private EvalSection() {}

    /**
     * The section for {@code q}; {@code markedPng} is the judged images' grid, or null when there
     * is none.
     */
    static String render(String id, String title, Quality q, byte[] markedPng) {
        StringBuilder h = new StringBuilder();
        h.append("<section id=\"").append(id).append("\">\n<h2>").append(Html.escape(title));
        h.append("</h2>\n<p class=\"sub\">").append(Html.escape(q.settings())).append("</p>\n");
        h.append("<table class=\"summary\"><thead><tr><th>accuracy</th><th>worst class</th>")
                .append("<th>Frechet distance</th><th>floor</th><th>distance / floor</th>")
                .append("</tr></thead>\n<tbody><tr><td class=\"accuracy\">")
                .append(Numbers.percent(q.accuracy()))
                .append("</td><td class=\"worst\">")
                .append(Html.escape(q.worstClass()))
                .append(": ")
                .append(Numbers.percent(q.worstClassAccuracy()))
                .append("</td><td class=\"frechet\">")
                .append(Numbers.distance(q.frechetDistance()))
                .append("</td><td class=\"floor\">")
                .append(Numbers.distance(q.frechetDistanceFloor()))
                .append("</td><td class=\"ratio\">")
                .append(Numbers.ratio(q.frechetRatio()))
                .append("</td></tr></tbody></table>\n");
        h.append("<table class=\"per-class\"><thead><tr><th class=\"text\">class</th>")
                .append("<th>accuracy</th><th>correct</th><th class=\"text\"></th></tr></thead>\n")
                .append("<tbody>\n");
        for (Map.Entry<String, Double> e : q.accuracyPerClass().entrySet()) {
            long correct = Math.round(e.getValue() * q.imagesPerClass());
            h.append("<tr><td class=\"text\">")
                    .append(Html.escape(e.getKey()))
                    .append("</td><td>")
                    .append(Numbers.percent(e.getValue()))
                    .append("</td><td>")
                    .append(correct)
                    .append(" / ")
                    .append(q.imagesPerClass())
                    .append("</td><td class=\"text\"><span class=\"bar\" style=\"width:")
                    .append(Math.round(200 * e.getValue()))
                    .append("px\"></span></td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (markedPng != null) {
            h.append("<div class=\"figure\">")
                    .append(Html.img(markedPng, "the images judged, one row per class", "judged"))
                    .append(
                            "<br><span class=\"mark\">red frame</span>: classified as another class"
                                    + " (")
                    .append(q.images() - q.correct())
                    .append(" of ")
                    .append(q.images())
                    .append(")</div>\n");
        }
        h.append("</section>\n");
        return h.toString();
    }

    /**
     * A page of its own for what {@code ddpm eval} measured on {@code checkpoint}: the same section
     * as the run report's, under the checkpoint's name.
     */
    public static String page(Evaluator.Result result, Path checkpoint, int maxBatch) {
        EvalReport r = result.report();
        Quality q = Quality.of(r, maxBatch, r.seconds().total());
        String title =
                "Evaluation of "
                        + checkpoint.getFileName()
                        + (r.step() == null ? "" : " (step " + Numbers.count(r.step()) + ")");
        String body =
                "<h1>"
                        + Html.escape(title)
                        + "</h1>\n<p class=\"sub\">"
                        + Html.escape(checkpoint.toString())
                        + ", "
                        + Html.escape(r.device())
                        + ", "
                        + Html.escape(r.created())
                        + "; Frechet distance against "
                        + Numbers.count(r.referenceImages())
                        + " MNIST test images, floor from "
                        + Numbers.count(r.floorImages())
                        + " real training images</p>\n"
                        + render(
                                "eval",
                                "Accuracy per class",
                                q,
                                Html.png(MarkedGrid.render(result)));
        return Html.page(title, body);
    }
}
