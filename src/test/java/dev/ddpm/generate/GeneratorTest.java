package dev.ddpm.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.config.SamplerKind;
import dev.ddpm.model.UNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one way images are made: batches, seeds, timing, and nothing left behind on the device. */
class GeneratorTest {

    private static final ModelConfig TINY = new ModelConfig(8, 1, 8, 10, 1, 16, List.of(), 8);

    private static DdpmConfig config() {
        DiffusionConfig r = DiffusionConfig.reference();
        return DdpmConfig.reference()
                .withModel(TINY)
                .withDiffusion(
                        new DiffusionConfig(
                                20,
                                r.schedule(),
                                r.betaStart(),
                                r.betaEnd(),
                                r.cosineS(),
                                0,
                                true,
                                r.loss(),
                                r.schedulePrecision()));
    }

    @Test
    void batchesAreSeededInTurnAndKeepEveryImage() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            UNet unet = UNet.create(TINY, m);
            try (NDManager warmUp = m.newSubManager()) {
                // The first pass caches a few constants per image size on the model (GroupNorm's).
                Generator.of(config(), unet, Generator.Weights.TRAINED, 7L, warmUp)
                        .generate(new long[] {1}, SamplingSettings.ddim(1, 0), null);
            }
            int liveBefore = m.getManagedArrays().size();
            try (NDManager scope = m.newSubManager()) {
                Generator generator =
                        Generator.of(config(), unet, Generator.Weights.TRAINED, 7L, scope);
                assertEquals(new Shape(1, 16, 16), generator.imageShape());
                long[] labels = {0, 1, 2, 3, 4};
                List<Long> batches = new ArrayList<>();
                SamplingSettings split =
                        new SamplingSettings(SamplerKind.DDIM, 4, 0.5, null, 0, 9, 2);
                Generator.Images images =
                        generator.generate(
                                labels,
                                split,
                                (i, total, t, x) -> batches.add(x.getShape().get(0)));
                assertEquals(new Shape(5, 1, 16, 16), images.shape());
                assertEquals(4, images.steps());
                assertTrue(
                        images.seconds() > 0
                                && images.millisPerStep() == 1000 * images.seconds() / 4);
                assertEquals(List.of(2L, 2L, 2L, 2L, 2L, 2L, 2L, 2L, 1L, 1L, 1L, 1L), batches);

                // A stochastic sampler: batch i's noise along the way is seeded by the seed and i,
                // so the first batch alone gives the same two images.
                Generator.Images firstBatch = generator.generate(new long[] {0, 1}, split, null);
                assertArrayEquals(firstBatch.pixels(), Arrays.copyOf(images.pixels(), 2 * 256));
                Generator.Images again = generator.generate(labels, split, null);
                assertArrayEquals(images.pixels(), again.pixels());
                Generator.Images otherSeed =
                        generator.generate(
                                labels,
                                new SamplingSettings(SamplerKind.DDIM, 4, 0.5, null, 0, 10, 2),
                                null);
                assertFalse(Arrays.equals(images.pixels(), otherSeed.pixels()));
            }
            assertEquals(liveBefore, m.getManagedArrays().size(), "nothing left on the device");
        }
    }

    @Test
    void deterministicSamplersDrawTheSameImagesForAnyBatching() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Generator generator =
                    Generator.of(
                            config(), UNet.create(TINY, m), Generator.Weights.TRAINED, null, m);
            long[] labels = new long[Generator.AUTOMATIC_BATCH_CPU + 3];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 10;
            }
            for (SamplerKind kind : List.of(SamplerKind.DDIM, SamplerKind.DPM_SOLVER_2M)) {
                SamplingSettings automatic = SamplingSettings.of(kind, 4).withSteps(5);
                float[] chosen = generator.generate(labels, automatic, null).pixels();
                float[] inOne =
                        generator
                                .generate(labels, automatic.withMaxBatch(labels.length), null)
                                .pixels();
                float[] inThrees =
                        generator.generate(labels, automatic.withMaxBatch(3), null).pixels();
                // the same images up to float rounding (kernels differ between batch sizes)
                assertArrayEquals(inOne, chosen, 1e-5f, kind.configName() + ": automatic batches");
                assertArrayEquals(inOne, inThrees, 1e-5f, kind.configName() + ": batches of 3");
                // the images of a prefix of the labels are a prefix of the images
                float[] firstFour =
                        generator.generate(Arrays.copyOf(labels, 4), automatic, null).pixels();
                assertArrayEquals(firstFour, Arrays.copyOf(inOne, firstFour.length), 1e-5f);
            }
        }
    }
}
