package dev.ddpm.io;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the names and shapes of a reference {@code state_dict} say about the U-Net that made it, for
 * weights saved without metadata ({@code save_file(model.state_dict(), f)}): the embedding size,
 * the classes, the levels, the channels and where attention sits. Image size and GroupNorm groups
 * leave no trace in the shapes and keep their configured values.
 */
public final class StateDictLayout {

    private static final Pattern LEVEL = Pattern.compile("downsample\\.(\\d+)\\..*");
    private static final Pattern ATTENTION = Pattern.compile("downsample\\.(\\d+)\\.attn\\..*");

    private StateDictLayout() {}

    /**
     * Configuration overrides ({@code model.*} to JSON values) read off {@code shapes}; keys whose
     * tensors are missing are left out.
     */
    public static Map<String, String> configOverrides(Map<String, Shape> shapes) {
        Map<String, String> overrides = new LinkedHashMap<>();
        Shape time = shapes.get("time_mlp.1.weight");
        if (time != null && time.dimension() == 2) {
            overrides.put("model.time_emb_dim", Long.toString(time.get(1)));
        }
        Shape labels = shapes.get("label_emb.weight");
        if (labels != null && labels.dimension() == 2) {
            overrides.put("model.num_classes", Long.toString(labels.get(0)));
        }
        Shape first = shapes.get("downsample.0.block1.proj.weight");
        if (first != null && first.dimension() == 4) {
            overrides.put("model.base_channels", Long.toString(first.get(0)));
            overrides.put("model.in_channels", Long.toString(first.get(1)));
        }
        Set<Integer> levels = new TreeSet<>();
        Set<Integer> attention = new TreeSet<>();
        for (String name : shapes.keySet()) {
            Matcher level = LEVEL.matcher(name);
            if (level.matches()) {
                levels.add(Integer.parseInt(level.group(1)));
            }
            Matcher attn = ATTENTION.matcher(name);
            if (attn.matches()) {
                attention.add(Integer.parseInt(attn.group(1)));
            }
        }
        if (!levels.isEmpty()) {
            overrides.put("model.depth", Integer.toString(levels.size()));
            overrides.put("model.attention_levels", attention.toString().replace(" ", ""));
        }
        return overrides;
    }
}
