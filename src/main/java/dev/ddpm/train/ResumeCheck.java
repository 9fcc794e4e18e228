package dev.ddpm.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddpm.config.ConfigException;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Decides whether a configuration may continue a checkpoint's run. */
public final class ResumeCheck {

    /**
     * Keys that only change bookkeeping, not the arithmetic of the steps already taken. {@code train.epochs}
     * may be raised to train longer.
     */
    private static final Set<String> MAY_DIFFER = Set.of(
            "train.epochs", "train.data_dir", "train.log_every_steps", "train.checkpoint_every_steps",
            "train.keep_checkpoints", "train.sample_every_steps", "train.sample_steps");

    private ResumeCheck() {}

    /**
     * @throws ConfigException naming every key whose value contradicts the checkpoint, with both values
     */
    public static void requireCompatible(DdpmConfig saved, DdpmConfig requested, long epochsDone) {
        List<String> differences = new ArrayList<>();
        collect(ConfigLoader.MAPPER.valueToTree(saved), ConfigLoader.MAPPER.valueToTree(requested), "", differences);
        if (!differences.isEmpty()) {
            throw new ConfigException("the configuration contradicts the checkpoint being resumed: "
                    + String.join("; ", differences)
                    + " (resume without --config/--set to continue as saved, or start a new run)");
        }
        if (requested.train().epochs() < epochsDone) {
            throw new ConfigException("config key 'train.epochs' is " + requested.train().epochs()
                    + " but the checkpoint has already finished " + epochsDone + " epochs");
        }
    }

    private static void collect(JsonNode saved, JsonNode requested, String prefix, List<String> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = saved.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = prefix + e.getKey();
            JsonNode other = requested.get(e.getKey());
            if (e.getValue().isObject() && other != null) {
                collect(e.getValue(), other, key + ".", out);
            } else if (!MAY_DIFFER.contains(key) && !e.getValue().equals(other)) {
                out.add(key + " is " + other + " but the checkpoint has " + e.getValue());
            }
        }
    }
}
