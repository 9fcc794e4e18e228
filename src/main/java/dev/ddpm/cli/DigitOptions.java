package dev.ddpm.cli;

import dev.ddpm.common.UserException;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * {@code --digit D} or {@code --all-digits}, exactly one: what {@code sample} and {@code gif} draw.
 */
public final class DigitOptions {

    /** The two choices, exclusive. */
    static final class Choice {
        @Option(
                names = "--digit",
                paramLabel = "D",
                required = true,
                description = "The digit (class) to draw, 0-9.")
        Integer digit;

        @Option(names = "--all-digits", required = true, description = "Every digit 0-9.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    /** The cheap check, before the model is known. */
    void validate() {
        if (choice.digit != null && choice.digit < 0) {
            throw new UserException("--digit must be a digit 0-9, got " + choice.digit);
        }
    }

    boolean all() {
        return choice.all;
    }

    /**
     * The labels to draw, {@code perDigit} of each selected digit, digit by digit, for a model of
     * {@code classes}.
     */
    long[] labels(int classes, int perDigit) {
        if (choice.digit != null && choice.digit >= classes) {
            throw new UserException("--digit must be 0-" + (classes - 1) + ", got " + choice.digit);
        }
        int[] selected =
                choice.all ? IntStream.range(0, classes).toArray() : new int[] {choice.digit};
        long[] labels = new long[selected.length * perDigit];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = selected[i / perDigit];
        }
        return labels;
    }
}
