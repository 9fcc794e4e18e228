package dev.ddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightMismatchTest {

    @Test
    void eachKindReadsAsOneSentenceAndTheListAsOneLine() {
        List<WeightMismatch> all =
                List.of(
                        WeightMismatch.missing("final_block.2.bias", new Shape(1)),
                        WeightMismatch.wrongShape(
                                "label_emb.weight", new Shape(10, 8), new Shape(11, 8)),
                        WeightMismatch.unexpected("extra", new Shape(2)),
                        WeightMismatch.notFloatingPoint("time_mlp.1.bias", DataType.INT32),
                        WeightMismatch.missing("upsample.0.block1.proj.weight", new Shape(3)));
        assertEquals(
                "weights do not fit the model (5 tensors): missing final_block.2.bias (1);"
                        + " label_emb.weight has shape (11, 8), expected (10, 8); unexpected extra"
                        + " (2); time_mlp.1.bias has type int32, expected floating point; and 1"
                        + " more",
                WeightMismatch.describe(all));
    }

    @Test
    void theConfigurationKeysFollowTheTensorNamesNotTheirText() {
        assertEquals(
                Set.of("model.time_emb_dim"),
                WeightMismatch.missing("time_mlp.3.weight", new Shape(4)).configKeys());
        assertEquals(
                List.of(
                        "model.in_channels",
                        "model.num_classes",
                        "model.attention_levels",
                        "model.depth",
                        "model.base_channels"),
                List.copyOf(
                        WeightMismatch.configKeys(
                                List.of(
                                        WeightMismatch.unexpected(
                                                "final_block.2.weight", new Shape(1)),
                                        WeightMismatch.wrongShape(
                                                "label_emb.weight", new Shape(1), new Shape(2)),
                                        WeightMismatch.missing(
                                                "downsample.1.attn.to_qkv.weight",
                                                new Shape(1))))));
    }
}
