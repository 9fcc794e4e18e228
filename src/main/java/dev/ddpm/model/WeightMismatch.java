package dev.ddpm.model;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One reason why named tensors are not a model's weights: a tensor the model needs is missing, one
 * it does not know is there, or one has the wrong shape or type. {@link #toString} is the text
 * shown to users; code that reacts to a mismatch reads the fields.
 *
 * @param name the tensor's (reference) name, e.g. {@code time_mlp.1.weight}
 * @param kind what is wrong with it
 * @param expected what the model needs ({@link Shape} or "floating point"); null for {@link
 *     Kind#UNEXPECTED}
 * @param actual what the tensors hold ({@link Shape} or {@link DataType}); null for {@link
 *     Kind#MISSING}
 */
public record WeightMismatch(String name, Kind kind, Object expected, Object actual) {

    /** What is wrong with a tensor. */
    public enum Kind {
        MISSING,
        UNEXPECTED,
        WRONG_SHAPE,
        NOT_FLOATING_POINT
    }

    public static WeightMismatch missing(String name, Shape expected) {
        return new WeightMismatch(name, Kind.MISSING, expected, null);
    }

    public static WeightMismatch unexpected(String name, Shape actual) {
        return new WeightMismatch(name, Kind.UNEXPECTED, null, actual);
    }

    public static WeightMismatch wrongShape(String name, Shape expected, Shape actual) {
        return new WeightMismatch(name, Kind.WRONG_SHAPE, expected, actual);
    }

    public static WeightMismatch notFloatingPoint(String name, DataType actual) {
        return new WeightMismatch(name, Kind.NOT_FLOATING_POINT, "floating point", actual);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case MISSING -> "missing " + name + " " + expected;
            case UNEXPECTED -> "unexpected " + name + " " + actual;
            case WRONG_SHAPE -> name + " has shape " + actual + ", expected " + expected;
            case NOT_FLOATING_POINT -> name + " has type " + actual + ", expected " + expected;
        };
    }

    /**
     * The configuration keys ({@code model.*}) that decide this tensor's presence and shape: what
     * to check when weights from elsewhere do not fit.
     */
    public Set<String> configKeys() {
        Set<String> keys = new LinkedHashSet<>();
        if (name.contains("time_mlp")) {
            keys.add("model.time_emb_dim");
        }
        if (name.contains("label_emb")) {
            keys.add("model.num_classes");
        }
        if (name.contains(".attn.")) {
            keys.add("model.attention_levels");
        }
        if (name.contains("downsample.") || name.contains("upsample.")) {
            keys.add("model.depth");
            keys.add("model.base_channels");
        }
        if (name.contains("final_block.2") || name.contains("downsample.0.block1")) {
            keys.add("model.in_channels");
        }
        return keys;
    }

    /** The {@link #configKeys} of all of {@code mismatches}, in order, once each. */
    public static Set<String> configKeys(List<WeightMismatch> mismatches) {
        Set<String> keys = new LinkedHashSet<>();
        mismatches.forEach(m -> keys.addAll(m.configKeys()));
        return keys;
    }

    /** One readable line for a list of mismatches: how many, and the first few. */
    public static String describe(List<WeightMismatch> mismatches) {
        int shown = Math.min(mismatches.size(), 4);
        StringBuilder line =
                new StringBuilder("weights do not fit the model (")
                        .append(mismatches.size())
                        .append(" tensors): ");
        for (int i = 0; i < shown; i++) {
            line.append(i == 0 ? "" : "; ").append(mismatches.get(i));
        }
        if (mismatches.size() > shown) {
            line.append("; and ").append(mismatches.size() - shown).append(" more");
        }
        return line.toString();
    }
}
