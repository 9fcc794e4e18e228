package dev.ddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    void unknownKeysAreNamedWithTheAllowedOnes() throws IOException {
        assertRejected(
                "unknown config key 'train.learning_rate'; allowed keys here: epochs, batch_size,"
                        + " lr, adam_beta1",
                "train.learning_rate",
                "1");
        assertRejected(
                "unknown config key 'optim.lr'; sections: model, diffusion, train",
                "optim.lr",
                "1");
        assertRejected("unknown config key 'lr'", "lr", "1");
        assertRejected("unknown config key 'train'", "train", "{}");
        Path file = Files.writeString(dir.resolve("typo.json"), "{\"model\": {\"depht\": 3}}");
        assertRejected(
                "unknown config key 'model.depht' in "
                        + file
                        + "; allowed keys here: time_emb_dim, depth,",
                file,
                Map.of());
        Path top = Files.writeString(dir.resolve("top.json"), "{\"optimizer\": {}}");
        assertRejected(
                "unknown config key 'optimizer' in "
                        + top
                        + "; allowed keys here: model, diffusion, train",
                top,
                Map.of());
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
                "config key 'train.dataset' must be one of [fashion-mnist, mnist], got 'cifar10'",
                "train.dataset",
                "cifar10");
        assertRejected(
                "config key 'model.attention_levels' levels must be in [0, 3], got 4",
                "model.attention_levels",
                "[4]");
        assertRejected(
                "config key 'model.image_size' must be divisible by 2^depth = 16, got 24",
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
