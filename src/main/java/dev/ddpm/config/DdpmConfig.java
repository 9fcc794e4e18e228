package dev.ddpm.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Everything that defines a run: the model, the diffusion process and the training. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DdpmConfig(ModelConfig model, DiffusionConfig diffusion, TrainConfig train) {

    /** The reference setup of the Python project (also {@code config/default.json}). */
    public static DdpmConfig reference() {
        return new DdpmConfig(
                ModelConfig.reference(), DiffusionConfig.reference(), TrainConfig.reference());
    }

    public DdpmConfig withModel(ModelConfig m) {
        return new DdpmConfig(m, diffusion, train);
    }

    public DdpmConfig withDiffusion(DiffusionConfig d) {
        return new DdpmConfig(model, d, train);
    }

    /** Throws a {@link dev.ddpm.common.UserException} naming the first offending key. */
    public DdpmConfig validate() {
        Validator v = new Validator();
        v.check(model != null, "model", "section is missing");
        v.check(diffusion != null, "diffusion", "section is missing");
        v.check(train != null, "train", "section is missing");
        model.validate(v);
        diffusion.validate(v);
        train.validate(v);
        return this;
    }
}
