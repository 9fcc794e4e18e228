package dev.ddpm.cli;

import dev.ddpm.common.UserException;
import dev.ddpm.io.ClassNames;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * {@code --digit D}, {@code --all-digits}, {@code --class NAME|INDEX} or {@code --all-classes},
 * exactly one: what {@code sample} and {@code gif} draw. Digits are the class indices of MNIST's
 * models; classes are named as the model's checkpoint names them (an image folder's class folders),
 * or given by index.
 */
public final class ClassOptions {

    private static final Logger LOG = LoggerFactory.getLogger(ClassOptions.class);

    /** The four choices, exclusive. */
    static final class Choice {
        @Option(
                names = "--digit",
                paramLabel = "D",
                required = true,
                description = "The digit (class index) to draw, 0-9.")
        Integer digit;

        @Option(names = "--all-digits", required = true, description = "Every digit 0-9.")
        boolean allDigits;

        @Option(
                names = "--class",
                paramLabel = "NAME|INDEX",
                required = true,
                description = "The class to draw, by name (an image folder's class) or index.")
        String className;

        @Option(
                names = "--all-classes",
                required = true,
                description = "Every class of the model, one row each.")
        boolean allClasses;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    /** The cheap check, before the model is known. */
    void validate() {
        if (choice.digit != null && choice.digit < 0) {
            throw new UserException("--digit must be a digit 0-9, got " + choice.digit);
        }
    }

    /** Whether every class is drawn. */
    boolean all() {
        return choice.allDigits || choice.allClasses;
    }

    /**
     * The labels to draw, {@code perClass} of each selected class, class by class, for a model of
     * {@code classes}; logs which class each row is.
     */
    long[] labels(List<String> classes, int perClass) {
        int[] selected =
                all() ? IntStream.range(0, classes.size()).toArray() : new int[] {chosen(classes)};
        long[] labels = new long[selected.length * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = selected[i / perClass];
        }
        if (selected.length > 1) {
            LOG.info(
                    "one row per class: {}",
                    String.join(
                            ", ",
                            IntStream.of(selected)
                                    .mapToObj(c -> (c + 1) + ": " + classes.get(c))
                                    .toList()));
        } else {
            LOG.info("class {} ({})", classes.get(selected[0]), selected[0]);
        }
        return labels;
    }

    /**
     * The name of the output for the selection: {@code digit-7}, {@code all-digits}, {@code
     * class-cat} or {@code all-classes}.
     */
    String name(List<String> classes) {
        if (choice.allDigits) {
            return "all-digits";
        }
        if (choice.allClasses) {
            return "all-classes";
        }
        return imageName(chosen(classes), classes);
    }

    /**
     * {@link #name} when it does not depend on the model's classes (all but --class), else null: so
     * that the output can be checked before the checkpoint is read.
     */
    String nameBeforeTheModel() {
        if (choice.className != null) {
            return null;
        }
        return choice.digit != null ? "digit-" + choice.digit : name(List.of());
    }

    /** The name of one class's output: {@code digit-7}, or {@code class-cat} for --class. */
    String imageName(int label, List<String> classes) {
        return choice.digit != null || choice.allDigits
                ? "digit-" + label
                : "class-" + classes.get(label);
    }

    /** The class index that --digit or --class names. */
    private int chosen(List<String> classes) {
        if (choice.digit != null) {
            if (choice.digit >= classes.size()) {
                throw new UserException(
                        "--digit must be 0-" + (classes.size() - 1) + ", got " + choice.digit);
            }
            return choice.digit;
        }
        return ClassNames.index(choice.className, classes, "--class");
    }
}
