package dev.ddpm.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The names of a model's classes, in label order: an image folder's class folders, or the numbers
 * {@code 0 .. n-1} (MNIST's digits, and any checkpoint that names none).
 */
public final class ClassNames {

    private ClassNames() {}

    /** {@code "0"} to {@code "n-1"}. */
    public static List<String> numbered(int classes) {
        return IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    }

    /**
     * The names a checkpoint's {@code classes} metadata lists: a JSON list of {@code classes}
     * different, non-empty strings.
     */
    static List<String> parse(Path file, String json, int classes) throws SafetensorsException {
        List<String> names = new ArrayList<>();
        try {
            JsonNode list = ConfigLoader.MAPPER.readTree(json);
            if (list != null && list.isArray()) {
                list.forEach(n -> names.add(n.isTextual() ? n.asText() : ""));
            }
        } catch (JsonProcessingException e) {
            names.clear();
        }
        if (names.size() != classes
                || names.contains("")
                || new HashSet<>(names).size() != names.size()) {
            throw new SafetensorsException(
                    file
                            + " has a 'classes' entry that is not a list of "
                            + classes
                            + " different class names (model.num_classes); "
                            + Checkpoint.USE_AN_EARLIER_CHECKPOINT);
        }
        return List.copyOf(names);
    }

    /**
     * The index of class {@code nameOrIndex}: its name, else a number {@code 0 .. n-1}.
     *
     * @throws UserException listing the classes when there is none such
     */
    public static int index(String nameOrIndex, List<String> classes, String option) {
        int byName = classes.indexOf(nameOrIndex);
        if (byName >= 0) {
            return byName;
        }
        if (nameOrIndex.matches("\\d{1,9}") && Integer.parseInt(nameOrIndex) < classes.size()) {
            return Integer.parseInt(nameOrIndex);
        }
        String shown =
                classes.size() <= 20
                        ? String.join(", ", classes)
                        : String.join(", ", classes.subList(0, 20)) + ", ...";
        throw new UserException(
                option
                        + " '"
                        + nameOrIndex
                        + "' is not a class of this model: give a name or an index 0-"
                        + (classes.size() - 1)
                        + " ("
                        + shown
                        + ")");
    }
}
