package dev.ddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddpm.common.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir Path dir;

    static void assertRejected(String expected, Path file, Map<String, String> overrides) {
        UserException e =
                assertThrows(UserException.class, () -> ConfigLoader.load(file, overrides));
        assertTrue(
                e.getMessage().contains(expected),
                "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    static void assertRejected(String expected, String key, String value) {
        assertRejected(expected, null, Map.of(key, value));
    }

    /**
     * Rejected with a message containing {@code expected} and listing after it, in any order, at
     * least the keys {@code allowed}.
     */
    static void assertRejectedListing(
            String expected, Path file, Map<String, String> overrides, String... allowed) {
        assertRejected(expected, file, overrides);
        String message =
                assertThrows(UserException.class, () -> ConfigLoader.load(file, overrides))
                        .getMessage();
        Set<String> listed =
                java.util.Arrays.stream(
                                message.substring(message.indexOf(expected) + expected.length())
                                        .split("[,;:]?\\s+"))
                        .collect(java.util.stream.Collectors.toSet());
        for (String key : allowed) {
            assertTrue(listed.contains(key), key + " listed in: " + message);
        }
    }

    @Test
    void defaultJsonIsTheRecordsDefaultsWrittenOut() throws IOException {
        // The records' reference() values are the one source of the defaults; config/default.json
        // is them, written by ConfigLoader.toJson, and docs/configuration.md is checked by
        // ConfigurationDocTest.
        // Every key, with the record's value (a partial file would load just as well).
        ObjectMapper json = new ObjectMapper();
        assertEquals(
                json.readTree(ConfigLoader.toJson(DdpmConfig.reference())),
                json.readTree(Path.of("config/default.json").toFile()),
                "config/default.json differs from DdpmConfig.reference()");
    }

    @Test
    void theShippedConfigurationsLoadAndDefaultIsTheReference() {
        assertEquals(
                DdpmConfig.reference(),
                ConfigLoader.load(Path.of("config/default.json"), Map.of()));
        assertEquals(DdpmConfig.reference(), ConfigLoader.load(null, Map.of()));
        DdpmConfig reference = DdpmConfig.reference();
        assertEquals(128, reference.model().timeEmbDim());
        assertEquals(4, reference.model().depth());
        assertEquals(64, reference.model().baseChannels());
        assertEquals(1000, reference.diffusion().timesteps());
        assertEquals("linear", reference.diffusion().schedule().configName());
        assertEquals("l1", reference.diffusion().loss().configName());
        assertEquals(1e-4, reference.train().lr());
        assertEquals(64, reference.train().batchSize());
        assertEquals(1000, reference.train().epochs());

        DdpmConfig quick = ConfigLoader.load(Path.of("config/quick.json"), Map.of());
        assertEquals(4, quick.model().depth());
        assertEquals(List.of(), quick.model().attentionLevels());
        assertEquals(
                ConfigLoader.load(
                                null,
                                Map.of("diffusion.loss", "l2", "diffusion.schedule", "cosine"))
                        .diffusion(),
                quick.diffusion(),
                "quick takes the cosine schedule and the L2 loss, the rest of the reference's");
        DdpmConfig pretrained = ConfigLoader.load(Path.of("config/pretrained.json"), Map.of());
        assertTrue(
                new dev.ddpm.model.UNet(pretrained.model()).parameterCount() <= (10L << 20) / 4,
                "the shipped model's EMA weights fit in 10 MB");
        DdpmConfig exact = ConfigLoader.load(Path.of("config/reference-exact.json"), Map.of());
        assertEquals(1001, exact.diffusion().timesteps());
    }

    @Test
    void overridesApplyAfterTheFileAsJsonLiteralsOrPlainStrings() {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("train.lr", "0.5");
        set.put("train.epochs", "3");
        set.put("train.dataset", "fashion-mnist");
        set.put("model.attention_levels", "[0, 1]");
        set.put("diffusion.clip_x0", "false");
        set.put("train.seed", "-7");
        DdpmConfig c = ConfigLoader.load(Path.of("config/quick.json"), set);
        assertEquals(0.5, c.train().lr());
        assertEquals(3, c.train().epochs());
        assertEquals("fashion-mnist", c.train().dataset().configName());
        assertEquals(List.of(0, 1), c.model().attentionLevels());
        assertEquals(false, c.diffusion().clipX0());
        assertEquals(-7L, c.train().seed());
        assertEquals(8, c.model().baseChannels(), "the file's value where not overridden");
    }

    @Test
    void savedConfigurationsReadBackEqual() throws IOException {
        DdpmConfig c = ConfigLoader.load(Path.of("config/quick.json"), Map.of("train.lr", "0.003"));
        Path saved = dir.resolve("config.json");
        Files.writeString(saved, ConfigLoader.toJson(c));
        assertEquals(c, ConfigLoader.load(saved, Map.of()));
        assertEquals(c, ConfigLoader.fromJson(Files.readString(saved)));
    }

    @Test
    void duplicateKeysAreRefusedNamingTheKeyAndLine() throws IOException {
        Path file =
                Files.writeString(
                        dir.resolve("dup.json"),
                        "{\n  \"train\": {\n    \"lr\": 1e-3,\n    \"lr\": 2e-3\n  }\n}\n");
        assertRejected(
                "config key 'train.lr' appears twice in config file " + file, file, Map.of());
        assertRejected("(line 4); keep one", file, Map.of());
        Path sections =
                Files.writeString(
                        dir.resolve("sections.json"),
                        "{\"model\": {\"depth\": 2}, \"model\": {\"depth\": 3}}");
        assertRejected("config key 'model' appears twice", sections, Map.of());
        UserException saved =
                assertThrows(
                        UserException.class,
                        () -> ConfigLoader.fromJson("{\"train\": {\"seed\": 1, \"seed\": 2}}"));
        assertTrue(saved.getMessage().contains("'train.seed' appears twice"), saved.getMessage());
    }

    @Test
    void aByteOrderMarkIsAccepted() throws IOException {
        String json = "{\"train\": {\"lr\": 0.003}}";
        DdpmConfig expected = ConfigLoader.load(null, Map.of("train.lr", "0.003"));
        Path utf8 = dir.resolve("utf8-bom.json");
        Files.write(utf8, ("\uFEFF" + json).getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, ConfigLoader.load(utf8, Map.of()), "UTF-8 with a byte-order mark");
        Path utf16 = dir.resolve("utf16-bom.json");
        Files.write(utf16, ("\uFEFF" + json).getBytes(StandardCharsets.UTF_16LE));
        assertEquals(expected, ConfigLoader.load(utf16, Map.of()), "what Notepad calls Unicode");
    }

    @Test
    void textAfterTheObjectIsRefused() throws IOException {
        Path file =
                Files.writeString(
                        dir.resolve("two.json"),
                        "{\"train\": {\"lr\": 0.003}}\n{\"train\": {\"lr\": 0.5}}\n");
        assertRejected(
                "config file " + file + " has more after its JSON object (line 2)", file, Map.of());
    }

    @Test
    void deepNestingIsRefusedBeforeTheParserRunsDeep() throws IOException {
        Path deep =
                Files.writeString(
                        dir.resolve("deep.json"),
                        "{\"train\":".repeat(5000) + "1" + "}".repeat(5000));
        assertRejected("config file " + deep + " nests deeper than", deep, Map.of());
        assertRejected("give a JSON file", deep, Map.of());
        assertRejected(
                "config key 'model.attention_levels' has the wrong type",
                "model.attention_levels",
                "[".repeat(5000) + "]".repeat(5000));
    }

    @Test
    void aFileThatNeverEndsIsRefusedAfterABoundedRead() throws Exception {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero), "a Unix device that never ends");
        assertRejected("config file /dev/zero holds more than", zero, Map.of());
        assertRejected("give a JSON file", zero, Map.of());

        Path fifo = dir.resolve("endless");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        Thread writer =
                new Thread(
                        () -> {
                            byte[] chunk =
                                    "{\"train\": ".repeat(1000).getBytes(StandardCharsets.UTF_8);
                            try (OutputStream out = Files.newOutputStream(fifo)) {
                                while (true) {
                                    out.write(chunk);
                                }
                            } catch (IOException readerClosedThePipe) {
                                // done
                            }
                        });
        writer.setDaemon(true);
        writer.start();
        assertRejected("config file " + fifo + " holds more than", fifo, Map.of());
        writer.join(10_000);
    }

    @Test
    void aFolderOrAMissingFileIsNamed() {
        assertRejected("config file " + dir + " is a folder", dir, Map.of());
        Path missing = dir.resolve("missing.json");
        assertRejected("config file " + missing + " does not exist", missing, Map.of());
    }

    @Test
    void anIntegerTooLargeIsOutOfRangeNotOfTheWrongType() {
        assertRejected(
                "config key 'train.epochs' is out of range: expected an integer of at most"
                        + " 2147483647",
                "train.epochs",
                "99999999999999");
    }

    @Test
    void unknownKeysAreNamedWithTheAllowedOnes() throws IOException {
        assertRejectedListing(
                "unknown config key 'train.learning_rate'",
                null,
                Map.of("train.learning_rate", "1"),
                "lr",
                "epochs",
                "batch_size",
                "adam_beta1");
        assertRejectedListing(
                "unknown config key 'optim.lr'",
                null,
                Map.of("optim.lr", "1"),
                "model",
                "diffusion",
                "train");
        assertRejected("unknown config key 'lr'", "lr", "1");
        assertRejected("unknown config key 'train'", "train", "{}");
        Path file = Files.writeString(dir.resolve("typo.json"), "{\"model\": {\"depht\": 3}}");
        assertRejectedListing(
                "unknown config key 'model.depht' in " + file,
                file,
                Map.of(),
                "depth",
                "time_emb_dim");
        Path top = Files.writeString(dir.resolve("top.json"), "{\"optimizer\": {}}");
        assertRejectedListing(
                "unknown config key 'optimizer' in " + top,
                top,
                Map.of(),
                "model",
                "diffusion",
                "train");
    }

    @Test
    void wrongTypesAreNamedWithTheExpectedType() throws IOException {
        assertRejected(
                "config key 'train.batch_size' has the wrong type: expected an integer",
                "train.batch_size",
                "many");
        assertRejected(
                "config key 'train.batch_size' has the wrong type: expected an integer",
                "train.batch_size",
                "1.5");
        assertRejected(
                "config key 'train.lr' has the wrong type: expected a number", "train.lr", "fast");
        assertRejected(
                "config key 'diffusion.clip_x0' has the wrong type: expected true or false",
                "diffusion.clip_x0",
                "yes");
        assertRejected(
                "config key 'model.attention_levels' has the wrong type: expected a list",
                "model.attention_levels",
                "2");
        assertRejected("config key 'train.lr' has the wrong type", "train.lr", "");
        Path nulls = Files.writeString(dir.resolve("null.json"), "{\"train\": {\"epochs\": null}}");
        assertRejected(
                "config key 'train.epochs' has the wrong type: expected an integer",
                nulls,
                Map.of());
        Path section = Files.writeString(dir.resolve("section.json"), "{\"train\": 5}");
        assertRejected(
                "config key 'train' in " + section + " must be a JSON object", section, Map.of());
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"train\": {\n\"lr\": }");
        assertRejected(broken + " is not valid JSON (line 2)", broken, Map.of());
        Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
        assertRejected(array + " must hold a JSON object", array, Map.of());
    }

    @Test
    void outOfRangeValuesAreNamedWithTheAllowedValues() {
        assertRejected(
                "config key 'train.batch_size' must be in [1, 65536], got 0",
                "train.batch_size",
                "0");
        assertRejected("config key 'train.lr' must be in (0, 1), got 0.0", "train.lr", "0");
        assertRejected(
                "config key 'diffusion.schedule' must be one of [cosine, linear], got 'quadratic'",
                "diffusion.schedule",
                "quadratic");
        assertRejected(
                "config key 'diffusion.loss' must be one of [l1, l2], got 'huber'",
                "diffusion.loss",
                "huber");
        assertRejected(
                "config key 'train.dataset' must be one of [fashion-mnist, folder, mnist], got"
                        + " 'cifar10'",
                "train.dataset",
                "cifar10");
        assertRejected(
                "config key 'model.attention_levels' levels must be in [0, 3], got 4",
                "model.attention_levels",
                "[4]");
        assertRejected(
                "config key 'model.image_size' must be divisible by 2^depth = 16, got 24: each of"
                        + " the U-Net's 4 levels halves the image (e.g. 32), or set fewer levels"
                        + " with model.depth",
                "model.image_size",
                "24");
        assertRejected(
                "config key 'train.ema_decay' must be in [0, 1) (0 = off), got 1.0",
                "train.ema_decay",
                "1");
        assertRejected(
                "config key 'diffusion.beta_start' must not exceed diffusion.beta_end",
                "diffusion.beta_start",
                "0.5");
    }
}
