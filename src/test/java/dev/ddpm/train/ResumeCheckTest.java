package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResumeCheckTest {

    private static DdpmConfig config(Map<String, String> overrides) {
        return ConfigLoader.load(null, overrides);
    }

    @Test
    void contradictionsAreNamedWithBothValues() {
        DdpmConfig saved = config(Map.of("train.seed", "7"));
        DdpmConfig requested =
                config(
                        Map.of(
                                "train.seed",
                                "8",
                                "model.base_channels",
                                "32",
                                "train.batch_size",
                                "128"));
        UserException e =
                assertThrows(
                        UserException.class,
                        () -> ResumeCheck.requireCompatible(saved, requested, 0));
        String m = e.getMessage();
        assertTrue(m.contains("model.base_channels is 32 but the checkpoint has 64"), m);
        assertTrue(m.contains("train.seed is 8 but the checkpoint has 7"), m);
        assertTrue(m.contains("train.batch_size is 128 but the checkpoint has 64"), m);
        assertTrue(!m.contains("train.lr"), m);
    }

    @Test
    void moreEpochsAndBookkeepingChangesAreAllowed() {
        DdpmConfig saved = config(Map.of("train.epochs", "5"));
        assertDoesNotThrow(
                () ->
                        ResumeCheck.requireCompatible(
                                saved,
                                config(
                                        Map.of(
                                                "train.epochs",
                                                "9",
                                                "train.log_every_steps",
                                                "10",
                                                "train.data_dir",
                                                "/elsewhere")),
                                5));
        UserException e =
                assertThrows(
                        UserException.class,
                        () ->
                                ResumeCheck.requireCompatible(
                                        saved, config(Map.of("train.epochs", "3")), 4));
        assertTrue(e.getMessage().contains("train.epochs"), e.getMessage());
    }
}
