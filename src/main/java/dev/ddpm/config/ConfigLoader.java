package dev.ddpm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddpm.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a run configuration: a base (the reference defaults, or a saved configuration being
 * resumed), then a JSON file's keys, then {@code key=value} overrides from the command line.
 * Unknown keys, wrong types and out-of-range values are refused with a {@link UserException} naming
 * the key. This is the only place that changes configurations.
 */
public final class ConfigLoader {

    /**
     * Strict JSON: no coercion of strings or floats into numbers, no unknown keys, no enum
     * ordinals.
     */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .build();

    private static final Pattern KEY = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)+");

    /** One key whose value differs between two configurations. */
    public record Difference(String key, JsonNode left, JsonNode right) {}

    private ConfigLoader() {}

    /**
     * The reference defaults, then {@code file}, then {@code overrides}.
     *
     * @param file a JSON file, or null
     * @param overrides dotted keys ({@code train.lr}) to values written as JSON literals or plain
     *     strings
     */
    public static DdpmConfig load(Path file, Map<String, String> overrides) {
        return load(DdpmConfig.reference(), file, overrides);
    }

    /**
     * {@code base}, then {@code file} (or null), then {@code overrides}: e.g. a resumed run's saved
     * configuration.
     */
    public static DdpmConfig load(DdpmConfig base, Path file, Map<String, String> overrides) {
        ObjectNode tree = MAPPER.valueToTree(base);
        if (file != null) {
            merge(tree, readTree(file), "", file.toString());
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            override(tree, e.getKey(), e.getValue());
        }
        return fromTree(tree);
    }

    /**
     * Parses a complete configuration, such as the one saved inside a checkpoint; missing keys take
     * the defaults.
     */
    public static DdpmConfig fromJson(String json) {
        try {
            ObjectNode tree = MAPPER.valueToTree(DdpmConfig.reference());
            merge(tree, MAPPER.readTree(json), "", "the saved configuration");
            return fromTree(tree);
        } catch (JsonProcessingException e) {
            throw new UserException(
                    "the saved configuration is not valid JSON: "
                            + oneLine(e.getOriginalMessage()));
        }
    }

    public static String toJson(DdpmConfig config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keys (dotted, in order) whose values differ between {@code left} and {@code right}. */
    public static List<Difference> differences(DdpmConfig left, DdpmConfig right) {
        List<Difference> out = new ArrayList<>();
        collectDifferences(MAPPER.valueToTree(left), MAPPER.valueToTree(right), "", out);
        return out;
    }

    private static void collectDifferences(
            JsonNode left, JsonNode right, String prefix, List<Difference> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = left.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            JsonNode other = right.get(e.getKey());
            if (e.getValue().isObject()) {
                collectDifferences(e.getValue(), other, prefix + e.getKey() + ".", out);
            } else if (!e.getValue().equals(other)) {
                out.add(new Difference(prefix + e.getKey(), e.getValue(), other));
            }
        }
    }

    private static JsonNode readTree(Path file) {
        try {
            JsonNode node = MAPPER.readTree(Files.readString(file));
            if (node == null || !node.isObject()) {
                throw new UserException("config file " + file + " must hold a JSON object");
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new UserException(
                    "config file " + file + " does not exist (see config/ for examples)");
        } catch (JsonProcessingException e) {
            throw new UserException(
                    "config file "
                            + file
                            + " is not valid JSON (line "
                            + e.getLocation().getLineNr()
                            + "): "
                            + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UserException("cannot read config file " + file + ": " + e);
        }
    }

    /**
     * Copies {@code src} into {@code dst}, refusing keys that {@code dst} (the defaults) does not
     * have.
     */
    private static void merge(ObjectNode dst, JsonNode src, String prefix, String origin) {
        if (!src.isObject()) {
            throw new UserException(
                    "config key '"
                            + prefix.replaceAll("\\.$", "")
                            + "' in "
                            + origin
                            + " must be a JSON object");
        }
        Iterator<Map.Entry<String, JsonNode>> it = src.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode current = dst.get(e.getKey());
            if (current == null) {
                throw new UserException(
                        "unknown config key '"
                                + key
                                + "' in "
                                + origin
                                + "; allowed keys here: "
                                + fieldNames(dst));
            }
            if (current.isObject()) {
                merge((ObjectNode) current, e.getValue(), key + ".", origin);
            } else {
                dst.set(e.getKey(), e.getValue());
            }
        }
    }

    private static void override(ObjectNode tree, String dottedKey, String value) {
        if (!KEY.matcher(dottedKey).matches()) {
            throw new UserException(
                    "unknown config key '"
                            + dottedKey
                            + "'; keys are section.key, e.g. train.lr;"
                            + " sections: "
                            + fieldNames(tree));
        }
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw new UserException(
                        "unknown config key '" + dottedKey + "'; sections: " + fieldNames(tree));
            }
            node = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        if (!node.has(leaf) || node.get(leaf).isObject()) {
            throw new UserException(
                    "unknown config key '"
                            + dottedKey
                            + "'; allowed keys here: "
                            + fieldNames(node));
        }
        node.set(leaf, parseValue(value));
    }

    private static JsonNode parseValue(String value) {
        try {
            return MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(value);
        }
    }

    private static DdpmConfig fromTree(ObjectNode tree) {
        try {
            return MAPPER.treeToValue(tree, DdpmConfig.class).validate();
        } catch (JsonMappingException e) {
            String key =
                    e.getPath().stream()
                            .map(
                                    r ->
                                            r.getFieldName() != null
                                                    ? r.getFieldName()
                                                    : "[" + r.getIndex() + "]")
                            .collect(Collectors.joining("."))
                            .replace(".[", "[");
            if (e instanceof InvalidFormatException f
                    && ConfigChoice.class.isAssignableFrom(f.getTargetType())) {
                @SuppressWarnings("unchecked")
                Class<? extends ConfigChoice> choice =
                        (Class<? extends ConfigChoice>) f.getTargetType();
                throw new UserException(
                        "config key '"
                                + key
                                + "' must be one of "
                                + ConfigChoice.allowed(choice)
                                + ", got '"
                                + f.getValue()
                                + "'");
            }
            String type =
                    e instanceof MismatchedInputException mi && mi.getTargetType() != null
                            ? describe(mi.getTargetType())
                            : "a different type";
            throw new UserException(
                    "config key '" + key + "' has the wrong type: expected " + type);
        } catch (JsonProcessingException e) {
            throw new UserException("invalid configuration: " + oneLine(e.getOriginalMessage()));
        }
    }

    private static String describe(Class<?> type) {
        if (type == int.class
                || type == long.class
                || type == Integer.class
                || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (ConfigChoice.class.isAssignableFrom(type)) {
            @SuppressWarnings("unchecked")
            Class<? extends ConfigChoice> choice = (Class<? extends ConfigChoice>) type;
            return "one of " + ConfigChoice.allowed(choice);
        }
        return type.getSimpleName();
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s*\\R\\s*", " ");
    }
}
