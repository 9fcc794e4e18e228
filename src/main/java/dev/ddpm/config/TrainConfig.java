package dev.ddpm.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Optimisation, data and bookkeeping of a training run.
 *
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param lr Adam learning rate (the peak, when a schedule changes it)
 * @param adamBeta1 Adam beta1
 * @param adamBeta2 Adam beta2
 * @param adamEps Adam epsilon (added to the bias-corrected root, as torch.optim.Adam)
 * @param lrSchedule how the learning rate changes after the warm-up
 * @param lrWarmupSteps steps over which the learning rate ramps up linearly from {@code lr / n} to
 *     {@code lr}
 * @param gradClip global gradient-norm bound; 0 turns clipping off (the reference does not clip)
 * @param emaDecay decay of the exponential moving average of the weights; 0 turns EMA off
 * @param emaWarmup how the EMA decay ramps up (see {@link EmaWarmup})
 * @param emaWarmupSteps steps over which the {@code linear} warm-up ramps the EMA decay from 0 to
 *     {@code emaDecay}
 * @param minSnrGamma weight each image's loss by {@code min(SNR_t, gamma) / SNR_t} (Hang et al.,
 *     "Efficient Diffusion Training via Min-SNR Weighting"), so that the easy low-noise timesteps
 *     do not dominate the gradients; 0 turns it off (the reference)
 * @param labelDropout probability of replacing a label by "no label" (for classifier-free guidance)
 * @param seed seed of everything random in the run
 * @param dataset the training data
 * @param dataDir root of the data: MNIST's and Fashion-MNIST's IDX files are in {@code
 *     <dataDir>/<dataset>/}; for {@code folder}, the image folder itself
 * @param trainLimit use only the first N training images (0 = all)
 * @param logEverySteps how often the loss is read back to the host and logged
 * @param checkpointEverySteps how often a checkpoint is written (and at every epoch end)
 * @param keepCheckpoints how many step checkpoints to keep
 * @param sampleEverySteps how often a grid of all digits is sampled with the EMA weights (0 =
 *     never)
 * @param sampleSampler the sampler of those grids
 * @param sampleSteps the sampler's steps for those grids (ignored by DDPM)
 * @param sampleGuidance classifier-free guidance of those grids (0 = plain conditional sampling)
 * @param evalEverySteps how often the EMA weights are evaluated during training (accuracy and
 *     Fréchet distance, as {@code ddpm eval}); always at the end of a run; 0 = only at the end
 * @param evalImagesPerClass images generated per class for each of those evaluations (0 = none, not
 *     even at the end)
 * @param evalSampler the sampler of those images (DDIM or DPM-Solver++). With {@code evalSteps},
 *     {@code evalSpacing}, {@code evalEta} and {@code evalGuidance} it is the checkpoint's
 *     recommendation: {@code sample} and {@code eval} sample this way unless told otherwise, so
 *     that their images are the ones the recipe is judged by
 * @param evalSteps sampler steps of those images
 * @param evalSpacing the timesteps those steps visit, or null for the sampler's own spacing
 *     (linspace for DDIM, trailing for DPM-Solver++)
 * @param evalEta DDIM's noise for those images (0 deterministic, 1 like DDPM); 0 for DPM-Solver++
 * @param evalGuidance classifier-free guidance of those images
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainConfig(
        int epochs,
        int batchSize,
        double lr,
        double adamBeta1,
        double adamBeta2,
        double adamEps,
        LrSchedule lrSchedule,
        int lrWarmupSteps,
        double gradClip,
        double emaDecay,
        EmaWarmup emaWarmup,
        int emaWarmupSteps,
        double minSnrGamma,
        double labelDropout,
        long seed,
        Dataset dataset,
        String dataDir,
        int trainLimit,
        int logEverySteps,
        int checkpointEverySteps,
        int keepCheckpoints,
        int sampleEverySteps,
        SamplerKind sampleSampler,
        int sampleSteps,
        double sampleGuidance,
        int evalEverySteps,
        int evalImagesPerClass,
        SamplerKind evalSampler,
        int evalSteps,
        TimestepSpacing evalSpacing,
        double evalEta,
        double evalGuidance) {

    /** How the learning rate changes after the warm-up. */
    public enum LrSchedule implements ConfigChoice {
        /** {@code lr} throughout: the reference. */
        CONSTANT,
        /** From {@code lr} down to 0 at the run's last step along half a cosine. */
        COSINE
    }

    /** How the decay of the weights' moving average ramps up from 0. */
    public enum EmaWarmup implements ConfigChoice {
        /**
         * {@code min(ema_decay, 1 - (1 + n)^(-2/3))} after {@code n} updates (Karras et al.;
         * diffusers' {@code EMAModel}): the average spans about the last tenth of a run of any
         * length.
         */
        POWER,
        /** {@code ema_decay * min(1, n / ema_warmup_steps)}. */
        LINEAR
    }

    /** The training images. */
    public enum Dataset implements ConfigChoice {
        /** MNIST's IDX files in {@code <data_dir>/mnist/}. */
        MNIST,
        /** Fashion-MNIST's IDX files in {@code <data_dir>/fashion-mnist/}. */
        FASHION_MNIST,
        /** A labeled image folder: {@code <data_dir>/train/<class>/*.png|jpg}. */
        FOLDER
    }

    public static TrainConfig reference() {
        return new TrainConfig(
                1000,
                64,
                1e-4,
                0.9,
                0.999,
                1e-8,
                LrSchedule.CONSTANT,
                0,
                0.0,
                0.9999,
                EmaWarmup.POWER,
                2000,
                0.0,
                0.1,
                0L,
                Dataset.MNIST,
                "data",
                0,
                100,
                2000,
                3,
                5000,
                SamplerKind.DPM_SOLVER_2M,
                SamplerKind.DPM_SOLVER_2M.defaultSteps(),
                0.0,
                5000,
                20,
                SamplerKind.DPM_SOLVER_2M,
                SamplerKind.DPM_SOLVER_2M.defaultSteps(),
                null,
                0.0,
                0.0);
    }

    void validate(Validator v) {
        v.range("train.epochs", epochs, 1, 1_000_000);
        v.range("train.batch_size", batchSize, 1, 65_536);
        v.check(lr > 0 && lr < 1, "train.lr", "must be in (0, 1), got " + lr);
        v.present("train.lr_schedule", lrSchedule, LrSchedule.class);
        v.range("train.lr_warmup_steps", lrWarmupSteps, 0, 100_000_000);
        v.check(
                adamBeta1 >= 0 && adamBeta1 < 1,
                "train.adam_beta1",
                "must be in [0, 1), got " + adamBeta1);
        v.check(
                adamBeta2 >= 0 && adamBeta2 < 1,
                "train.adam_beta2",
                "must be in [0, 1), got " + adamBeta2);
        v.check(adamEps > 0 && adamEps < 1, "train.adam_eps", "must be in (0, 1), got " + adamEps);
        v.check(gradClip >= 0, "train.grad_clip", "must be >= 0 (0 = off), got " + gradClip);
        v.check(
                emaDecay >= 0 && emaDecay < 1,
                "train.ema_decay",
                "must be in [0, 1) (0 = off), got " + emaDecay);
        v.present("train.ema_warmup", emaWarmup, EmaWarmup.class);
        v.range("train.ema_warmup_steps", emaWarmupSteps, 0, 100_000_000);
        v.check(
                minSnrGamma >= 0 && minSnrGamma <= 1000,
                "train.min_snr_gamma",
                "must be in [0, 1000] (0 = off), got " + minSnrGamma);
        v.check(
                labelDropout >= 0 && labelDropout <= 1,
                "train.label_dropout",
                "must be in [0, 1], got " + labelDropout);
        v.present("train.dataset", dataset, Dataset.class);
        v.check(dataDir != null && !dataDir.isBlank(), "train.data_dir", "must be a folder path");
        v.range("train.train_limit", trainLimit, 0, 60_000);
        v.range("train.log_every_steps", logEverySteps, 1, 1_000_000);
        v.range("train.checkpoint_every_steps", checkpointEverySteps, 1, 100_000_000);
        v.range("train.keep_checkpoints", keepCheckpoints, 1, 1000);
        v.range("train.sample_every_steps", sampleEverySteps, 0, 100_000_000);
        v.present("train.sample_sampler", sampleSampler, SamplerKind.class);
        v.range("train.sample_steps", sampleSteps, 1, 100_000);
        guidance(v, "train.sample_guidance", sampleGuidance);
        v.range("train.eval_every_steps", evalEverySteps, 0, 100_000_000);
        v.range("train.eval_images_per_class", evalImagesPerClass, 0, 5_000);
        v.present("train.eval_sampler", evalSampler, SamplerKind.class);
        v.check(
                evalSampler == null || evalSampler.takesSteps(),
                "train.eval_sampler",
                "must be ddim or dpm++2m (ddpm takes every timestep: too slow to judge a run by)");
        v.range("train.eval_steps", evalSteps, 1, 100_000);
        String etaProblem = SamplingLimits.etaProblem(evalEta);
        v.check(etaProblem == null, "train.eval_eta", etaProblem);
        v.check(
                evalEta == 0 || evalSampler == SamplerKind.DDIM,
                "train.eval_eta",
                "applies to train.eval_sampler ddim; dpm++2m is deterministic: set it to 0");
        guidance(v, "train.eval_guidance", evalGuidance);
    }

    private static void guidance(Validator v, String key, double w) {
        String problem = SamplingLimits.guidanceProblem(w);
        v.check(problem == null, key, problem);
    }
}
