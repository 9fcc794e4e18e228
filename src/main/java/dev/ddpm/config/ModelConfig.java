package dev.ddpm.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Shape of the conditional U-Net. The defaults are the reference model (51,067,777 parameters).
 *
 * @param timeEmbDim size of the timestep / label embedding ({@code E})
 * @param depth number of U-Net levels ({@code D}); level {@code i} has {@code baseChannels * 2^i}
 *     channels
 * @param baseChannels channels of level 0
 * @param numClasses number of class labels (10 digits)
 * @param inChannels image channels (1 for MNIST)
 * @param imageSize height and width of the (square) model input
 * @param attentionLevels levels whose down and up blocks end with self-attention (reference: even
 *     levels)
 * @param groups GroupNorm groups
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelConfig(
        int timeEmbDim,
        int depth,
        int baseChannels,
        int numClasses,
        int inChannels,
        int imageSize,
        List<Integer> attentionLevels,
        int groups) {

    public static ModelConfig reference() {
        return new ModelConfig(128, 4, 64, 10, 1, 32, List.of(0, 2), 8);
    }

    /** Channels at level {@code i}. */
    public int channels(int level) {
        return baseChannels << level;
    }

    public boolean hasAttention(int level) {
        return attentionLevels.contains(level);
    }

    void validate(Validator v) {
        v.range("model.time_emb_dim", timeEmbDim, 2, 4096);
        v.check(timeEmbDim % 2 == 0, "model.time_emb_dim", "must be even, got " + timeEmbDim);
        v.range("model.depth", depth, 1, 6);
        v.range("model.base_channels", baseChannels, 1, 1024);
        v.range("model.num_classes", numClasses, 1, 1000);
        v.range("model.in_channels", inChannels, 1, 4);
        v.range("model.image_size", imageSize, 4, 256);
        v.check(
                imageSize % (1 << depth) == 0,
                "model.image_size",
                "must be divisible by 2^depth = "
                        + (1 << depth)
                        + ", got "
                        + imageSize
                        + ": each of the U-Net's "
                        + depth
                        + " levels halves the image (e.g. "
                        + (1 << depth) * Math.max(1, Math.round(imageSize / (float) (1 << depth)))
                        + "), or set fewer levels with model.depth");
        v.range("model.groups", groups, 1, 64);
        v.check(
                baseChannels % groups == 0,
                "model.groups",
                "must divide model.base_channels (" + baseChannels + "), got " + groups);
        v.check(
                attentionLevels != null,
                "model.attention_levels",
                "must be a list of levels in [0, depth)");
        if (attentionLevels != null) {
            for (Integer level : attentionLevels) {
                v.check(
                        level != null && level >= 0 && level < depth,
                        "model.attention_levels",
                        "levels must be in [0, " + (depth - 1) + "], got " + level);
            }
        }
    }
}
