package dev.ddpm.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * The pieces of the self-contained pages: text escaped for HTML, images inlined as base64 PNG data
 * URLs, and one style sheet in the page. Nothing a page shows is loaded from elsewhere, and pages
 * carry no scripts.
 */
final class Html {

    private static final String STYLE =
            """
            body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
                   max-width: 1100px; margin: 24px auto; padding: 0 16px; }
            h1 { font-size: 24px; margin-bottom: 4px; }
            h2 { font-size: 19px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            .sub { color: #666; margin-top: 0; }
            table { border-collapse: collapse; margin: 8px 0 16px; }
            th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
            th { background: #f6f6f6; }
            td.text, th.text { text-align: left; }
            tr.best td { background: #fff6d5; font-weight: 600; }
            .box { border: 1px solid #e3c55b; background: #fffbea; padding: 10px 16px; border-radius: 6px; }
            .figure { margin: 8px 0 20px; }
            .figure img { max-width: 100%; image-rendering: pixelated; border: 1px solid #ddd; }
            .grids { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
            .grids figure { margin: 0; text-align: center; color: #555; font-size: 13px; }
            .grids img { width: 320px; image-rendering: pixelated; border: 1px solid #ddd; }
            code, pre { background: #f4f4f4; border-radius: 4px; padding: 1px 4px; }
            pre { padding: 8px; overflow-x: auto; font-size: 13px; }
            .bar { display: inline-block; height: 10px; background: #2ca02c; vertical-align: middle; }
            .mark { color: #d62728; font-weight: 600; }
            """;

    private Html() {}

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A whole page: {@code body} is HTML already. */
    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>"
                + escape(title)
                + "</title>\n<style>\n"
                + STYLE
                + "</style>\n</head>\n<body>\n"
                + body
                + "</body>\n</html>\n";
    }

    /** An {@code img} element showing {@code png} from a data URL. */
    static String img(byte[] png, String alt, String cssClass) {
        return "<img class=\""
                + cssClass
                + "\" alt=\""
                + escape(alt)
                + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png)
                + "\">";
    }

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
