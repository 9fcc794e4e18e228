package dev.ddpm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a run configuration: the reference defaults, then a JSON file's keys, then {@code key=value}
 * overrides from the command line. Unknown keys, wrong types and out-of-range values are rejected with
 * a {@link ConfigException} naming the key.
 */
public final class ConfigLoader {

    /** Strict JSON: no coercion of strings or floats into numbers, no unknown keys. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ConfigLoader() {}

    /**
     * @param file a JSON file, or null for the reference defaults alone
     * @param overrides dotted keys ({@code train.lr}) to values written as JSON literals or plain strings
     */
    public static DdpmConfig load(Path file, Map<String, String> overrides) {
        ObjectNode tree = MAPPER.valueToTree(DdpmConfig.reference());
        if (file != null) {
            merge(tree, readTree(file), "", file.toString());
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            override(tree, e.getKey(), e.getValue());
        }
        return fromTree(tree);
    }

    /** Parses a complete configuration, such as the one saved inside a checkpoint. */
    public static DdpmConfig fromJson(String json) {
        try {
            ObjectNode tree = MAPPER.valueToTree(DdpmConfig.reference());
            merge(tree, MAPPER.readTree(json), "", "the saved configuration");
            return fromTree(tree);
        } catch (JsonProcessingException e) {
            throw new ConfigException("the saved configuration is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static String toJson(DdpmConfig config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the configuration as indented JSON, atomically. */
    public static void save(DdpmConfig config, Path file) throws IOException {
        dev.ddpm.io.AtomicFiles.writeString(file, toJson(config) + System.lineSeparator());
    }

    private static JsonNode readTree(Path file) {
        try {
            JsonNode node = MAPPER.readTree(Files.readString(file));
            if (node == null || !node.isObject()) {
                throw new ConfigException("config file " + file + " must hold a JSON object");
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist (see config/ for examples)");
        } catch (JsonProcessingException e) {
            throw new ConfigException("config file " + file + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + "): " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /** Copies {@code src} into {@code dst}, refusing keys that {@code dst} (the defaults) does not have. */
    private static void merge(ObjectNode dst, JsonNode src, String prefix, String origin) {
        if (!src.isObject()) {
            throw new ConfigException("config key '" + prefix.replaceAll("\\.$", "") + "' in " + origin
                    + " must be a JSON object");
        }
        Iterator<Map.Entry<String, JsonNode>> it = src.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode current = dst.get(e.getKey());
            if (current == null) {
                throw new ConfigException("unknown config key '" + key + "' in " + origin
                        + "; allowed keys here: " + fieldNames(dst));
            }
            if (current.isObject()) {
                merge((ObjectNode) current, e.getValue(), key + ".", origin);
            } else {
                dst.set(e.getKey(), e.getValue());
            }
        }
    }

    private static void override(ObjectNode tree, String dottedKey, String value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw new ConfigException("unknown config key '" + dottedKey + "'; sections: " + fieldNames(tree));
            }
            node = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        if (parts.length < 2 || !node.has(leaf) || node.get(leaf).isObject()) {
            throw new ConfigException("unknown config key '" + dottedKey + "'; allowed keys here: " + fieldNames(node));
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
            String key = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String type = e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mi
                    && mi.getTargetType() != null ? describe(mi.getTargetType()) : "a different type";
            throw new ConfigException("config key '" + key + "' has the wrong type: expected " + type);
        } catch (JsonProcessingException e) {
            throw new ConfigException("invalid configuration: " + e.getOriginalMessage());
        }
    }

    private static String describe(Class<?> type) {
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
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
        return type.getSimpleName();
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }
}
