package dev.ddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.TrainConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The learning rate and the EMA decay follow what the configuration names. */
class ScheduleFromConfigTest {

    private static TrainConfig train(Map<String, String> overrides) {
        return ConfigLoader.load(null, overrides).train();
    }

    @Test
    void cosineDecaysAfterTheWarmUpAndConstantStays() {
        LearningRate cosine =
                LearningRate.of(
                        train(
                                Map.of(
                                        "train.lr",
                                        "0.002",
                                        "train.lr_schedule",
                                        "cosine",
                                        "train.lr_warmup_steps",
                                        "100")),
                        1100);
        assertEquals(0.002 / 100, cosine.at(0), 1e-12);
        assertEquals(0.002, cosine.at(99), 1e-12);
        assertEquals(0.001, cosine.at(600), 1e-12, "half-way through the decay");
        assertEquals(0.0, cosine.at(1100), 1e-12);
        LearningRate constant = LearningRate.of(train(Map.of("train.lr", "0.002")), 1100);
        assertEquals(0.002, constant.at(600), 1e-12);
    }

    @Test
    void theEmaWarmUpIsTheOneConfigured() {
        Ema.Warmup power =
                Ema.Warmup.of(
                        train(Map.of("train.ema_warmup", "power", "train.ema_decay", "0.9999")));
        assertEquals(1 - Math.pow(1001, -2.0 / 3), power.decayAt(1000), 1e-12);
        Ema.Warmup linear =
                Ema.Warmup.of(
                        train(
                                Map.of(
                                        "train.ema_warmup",
                                        "linear",
                                        "train.ema_decay",
                                        "0.9",
                                        "train.ema_warmup_steps",
                                        "10")));
        assertEquals(0.45, linear.decayAt(5), 1e-12);
        assertEquals(0.9, linear.decayAt(1000), 1e-12);
    }
}
