package dev.ddpm.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ddpm.common.UserException;
import dev.ddpm.diffusion.DdimSampler;
import dev.ddpm.generate.SamplingSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Guidance and eta have one range each, and the configuration and the generator's settings refuse
 * the same values with the same words (the command line's part is in SampleCommandTest and
 * EvalCommandTest).
 */
class SamplingLimitsTest {

    @Test
    void guidanceIsZeroToOneHundredAndEtaZeroToTen() {
        for (double w : new double[] {0, 0.5, 100}) {
            assertNull(SamplingLimits.guidanceProblem(w), "guidance " + w);
        }
        for (double eta : new double[] {0, 1, 10}) {
            assertNull(SamplingLimits.etaProblem(eta), "eta " + eta);
        }
        assertEquals("must be in [0, 100], got -0.1", SamplingLimits.guidanceProblem(-0.1));
        assertEquals("must be in [0, 100], got 100.5", SamplingLimits.guidanceProblem(100.5));
        assertEquals("must be in [0, 10], got 10.5", SamplingLimits.etaProblem(10.5));
        for (double bad :
                new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertEquals("must be in [0, 100], got " + bad, SamplingLimits.guidanceProblem(bad));
            assertEquals("must be in [0, 10], got " + bad, SamplingLimits.etaProblem(bad));
        }
    }

    @Test
    void theConfigurationRefusesWhatTheLimitsRefuse() {
        for (String key : new String[] {"train.sample_guidance", "train.eval_guidance"}) {
            UserException e =
                    assertThrows(
                            UserException.class,
                            () -> ConfigLoader.load(null, Map.of(key, "100.5")));
            assertEquals("config key '" + key + "' must be in [0, 100], got 100.5", e.getMessage());
            assertDoesNotThrow(() -> ConfigLoader.load(null, Map.of(key, "100")));
        }
        UserException eta =
                assertThrows(
                        UserException.class,
                        () ->
                                ConfigLoader.load(
                                        null,
                                        Map.of(
                                                "train.eval_sampler", "ddim",
                                                "train.eval_eta", "10.5")));
        assertEquals("config key 'train.eval_eta' must be in [0, 10], got 10.5", eta.getMessage());
        UserException deterministic =
                assertThrows(
                        UserException.class,
                        () -> ConfigLoader.load(null, Map.of("train.eval_eta", "1")));
        assertTrue(deterministic.getMessage().contains("dpm++2m is deterministic"));
        assertDoesNotThrow(
                () ->
                        ConfigLoader.load(
                                null, Map.of("train.eval_sampler", "ddim", "train.eval_eta", "1")));
    }

    @Test
    void theGeneratorsSettingsAndSamplersRefuseWhatTheLimitsRefuse() {
        SamplingSettings ddim = SamplingSettings.ddim(10, 0);
        assertEquals(100, ddim.withGuidance(100).guidance());
        IllegalArgumentException guidance =
                assertThrows(IllegalArgumentException.class, () -> ddim.withGuidance(100.5));
        assertEquals("guidance must be in [0, 100], got 100.5", guidance.getMessage());
        IllegalArgumentException eta =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new DdimSampler(10, 10.5, TimestepSpacing.LINSPACE));
        assertEquals("eta must be in [0, 10], got 10.5", eta.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new SamplingSettings(SamplerKind.DDIM, 10, Double.NaN, null, 0, 0, null));
    }
}
