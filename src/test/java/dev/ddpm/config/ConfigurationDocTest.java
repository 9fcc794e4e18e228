package dev.ddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key tables of docs/configuration.md list exactly the keys of the configuration records, in
 * their order, each with the record's default: a key added to the code and not to the reference (or
 * the other way round) fails here.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("docs/configuration.md");

    /** Key to default cell of the table under {@code ## section}, in the order of the rows. */
    private static Map<String, String> documented(String section) throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## " + section);
            } else if (inSection && line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                rows.put(unquote(cells[1]), unquote(cells[2]));
            }
        }
        return rows;
    }

    private static String unquote(String cell) {
        return cell.strip().replace("`", "");
    }

    /** A default as written in the table: a JSON literal, or else a plain string. */
    private static JsonNode parse(String text) {
        try {
            return ConfigLoader.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }

    private static boolean same(JsonNode expected, JsonNode documented) {
        if (expected.isNumber() && documented.isNumber()) {
            return expected.doubleValue() == documented.doubleValue();
        }
        return expected.equals(documented);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model", "diffusion", "train"})
    void everyKeyIsDocumentedWithItsDefault(String section) throws IOException {
        JsonNode defaults = ConfigLoader.MAPPER.valueToTree(DdpmConfig.reference()).get(section);
        List<String> keys = new ArrayList<>();
        defaults.fieldNames().forEachRemaining(keys::add);
        Map<String, String> rows = documented(section);
        assertEquals(keys, List.copyOf(rows.keySet()), DOC + ", table '" + section + "'");
        for (String key : keys) {
            JsonNode expected = defaults.get(key);
            String cell = rows.get(key);
            assertTrue(
                    same(expected, parse(cell)),
                    DOC
                            + ": "
                            + section
                            + "."
                            + key
                            + " is documented with default "
                            + cell
                            + ", the code has "
                            + expected);
        }
    }
}
