package dev.ddpm.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddpm.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
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
     * Most bytes read from a configuration file: a real one is about a kilobyte, while a device or
     * a pipe named by mistake may never end.
     */
    static final int MAX_FILE_BYTES = 1 << 20;

    /**
     * Deepest nesting of a configuration's JSON: its own is three levels (section, key, list), and
     * Jackson's default (1,000) lets a hostile file run the parser deep.
     */
    static final int MAX_NESTING = 16;

    /**
     * Strict JSON: no duplicate keys, nothing after the value, no deep nesting, no coercion of
     * strings or floats into numbers, no unknown keys, no enum ordinals.
     */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder(
                            JsonFactory.builder()
                                    .streamReadConstraints(
                                            StreamReadConstraints.builder()
                                                    .maxNestingDepth(MAX_NESTING)
                                                    .build())
                                    .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .build();

    /** Reads one value and leaves what follows to {@link #parse}, which names it in words. */
    private static final ObjectReader ONE_VALUE =
            MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
        String origin = "the saved configuration";
        ObjectNode tree = MAPPER.valueToTree(DdpmConfig.reference());
        merge(tree, parse(json.getBytes(StandardCharsets.UTF_8), origin), "", origin);
        return fromTree(tree);
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
        String origin = "config file " + file;
        if (Files.isDirectory(file)) {
            throw new UserException(origin + " is a folder; give a JSON file (see config/)");
        }
        byte[] bytes;
        // Read through a stream, not Files.readAllBytes: a device or a pipe has no size to trust.
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new UserException(origin + " does not exist (see config/ for examples)");
        } catch (IOException e) {
            throw new UserException(
                    "cannot read "
                            + origin
                            + (e instanceof AccessDeniedException
                                    ? ": permission denied"
                                    : ": " + e.getMessage()));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new UserException(
                    origin
                            + " holds more than "
                            + (MAX_FILE_BYTES >> 20)
                            + " MiB, so it is no configuration; give a JSON file (see config/)");
        }
        JsonNode node = parse(bytes, origin);
        if (node == null || !node.isObject()) {
            throw new UserException(origin + " must hold a JSON object");
        }
        return node;
    }

    /**
     * One JSON value from {@code json} (UTF-8, -16 or -32, with or without a byte-order mark, as
     * Jackson detects from bytes), or a {@link UserException} naming {@code origin}, the line and
     * for a duplicate key the key.
     */
    private static JsonNode parse(byte[] json, String origin) {
        JsonParser parser;
        try {
            parser = MAPPER.createParser(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (parser) {
            JsonNode node = ONE_VALUE.readTree(parser);
            if (parser.nextToken() != null) {
                throw new UserException(
                        origin
                                + " has more after its JSON object (line "
                                + parser.currentTokenLocation().getLineNr()
                                + "); a configuration is one object: remove the rest");
            }
            return node;
        } catch (StreamConstraintsException e) {
            // Jackson gives no location for an exceeded limit.
            throw new UserException(
                    origin
                            + " nests deeper than "
                            + MAX_NESTING
                            + " levels, so it is no configuration; give a JSON file (see"
                            + " config/)");
        } catch (JsonProcessingException e) {
            int line = parser.currentLocation().getLineNr();
            // Jackson's STRICT_DUPLICATE_DETECTION has no exception type of its own.
            if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
                throw new UserException(
                        "config key '"
                                + dotted(parser.getParsingContext())
                                + "' appears twice in "
                                + origin
                                + " (line "
                                + line
                                + "); keep one");
            }
            throw new UserException(
                    origin
                            + " is not valid JSON (line "
                            + line
                            + "): "
                            + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key a parser is at, dotted: {@code train.lr}. */
    private static String dotted(JsonStreamContext context) {
        return context.pathAsPointer().toString().substring(1).replace('/', '.');
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
            if (e.getCause() instanceof InputCoercionException c && c.getTargetType() != null) {
                throw new UserException(
                        "config key '"
                                + key
                                + "' is out of range: expected "
                                + describe(c.getTargetType())
                                + " of at most "
                                + (c.getTargetType() == int.class
                                        ? Integer.MAX_VALUE
                                        : Long.MAX_VALUE));
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
