package dev.ddpm.report;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.Locale;

/** Numbers as the report and the log print them, in every locale alike. */
final class Numbers {

    private Numbers() {}

    /** 0.75, 2, 0.0001: the shortest plain decimal, no exponent, no grouping. */
    static String plain(double v) {
        return plainFormat().format(v);
    }

    static NumberFormat plainFormat() {
        return new DecimalFormat("0.##########", DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    /** A share in [0, 1] as a percentage with one decimal: {@code 97.5%}. */
    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** A distance with three decimals. */
    static String distance(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }

    /** A ratio with two decimals and an x: {@code 2.84x}. */
    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    /** A whole number with thousands separators: {@code 1,875}. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
