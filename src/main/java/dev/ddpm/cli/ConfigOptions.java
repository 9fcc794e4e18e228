package dev.ddpm.cli;

import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --set key=value}: the run configuration of a command. */
public final class ConfigOptions {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description =
                    "JSON run configuration (default: the reference setup, as"
                            + " config/default.json).")
    Path config;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            mapFallbackValue = "",
            description =
                    "Override one configuration value, e.g. --set train.lr=2e-4 --set"
                            + " model.depth=2.")
    Map<String, String> set = new LinkedHashMap<>();

    /** The configuration with the file's values, then {@code --set}, then {@code extra} applied. */
    public DdpmConfig load(Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(set);
        all.putAll(extra);
        return ConfigLoader.load(config, all);
    }

    /**
     * {@code base} (a resumed run's saved configuration) with the file's values, {@code --set} and
     * {@code extra}.
     */
    public DdpmConfig loadOver(DdpmConfig base, Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(set);
        all.putAll(extra);
        return ConfigLoader.load(base, config, all);
    }

    public DdpmConfig load() {
        return load(Map.of());
    }

    public Path file() {
        return config;
    }
}
