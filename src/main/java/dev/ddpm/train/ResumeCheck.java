package dev.ddpm.train;

import dev.ddpm.common.UserException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Decides whether a configuration may continue a checkpoint's run. */
public final class ResumeCheck {

    /**
     * Keys that only change bookkeeping, not the arithmetic of the steps already taken. {@code
     * train.epochs} may be raised to train longer (with the cosine schedule this stretches the
     * remaining decay).
     */
    private static final Set<String> MAY_DIFFER =
            Set.of(
                    "train.epochs",
                    "train.data_dir",
                    "train.log_every_steps",
                    "train.checkpoint_every_steps",
                    "train.keep_checkpoints",
                    "train.sample_every_steps",
                    "train.sample_sampler",
                    "train.sample_steps",
                    "train.sample_guidance",
                    "train.eval_every_steps");

    private ResumeCheck() {}

    /**
     * @throws UserException naming every key whose value contradicts the checkpoint, with both
     *     values
     */
    public static void requireCompatible(DdpmConfig saved, DdpmConfig requested, long epochsDone) {
        List<String> differences =
                ConfigLoader.differences(saved, requested).stream()
                        .filter(d -> !MAY_DIFFER.contains(d.key()))
                        .map(
                                d ->
                                        d.key()
                                                + " is "
                                                + d.right()
                                                + " but the checkpoint has "
                                                + d.left())
                        .toList();
        if (!differences.isEmpty()) {
            throw new UserException(
                    "the configuration contradicts the checkpoint being resumed: "
                            + String.join("; ", differences)
                            + " (resume without --config/--set to continue as saved, or start a new"
                            + " run)");
        }
        if (requested.train().epochs() < epochsDone) {
            throw new UserException(
                    "config key 'train.epochs' is "
                            + requested.train().epochs()
                            + " but the checkpoint has already finished "
                            + epochsDone
                            + " epochs");
        }
    }

    /**
     * Refuses to continue {@code checkpoint}, trained on the classes {@code trained}, on data whose
     * classes are {@code now} (an image folder whose class folders changed).
     */
    public static void requireSameClasses(Path checkpoint, List<String> trained, List<String> now) {
        if (!trained.equals(now)) {
            throw new UserException(
                    checkpoint
                            + " was trained on the classes "
                            + trained
                            + ", but the data holds "
                            + now
                            + ": resume with the data it was trained on, or start a new run");
        }
    }
}
