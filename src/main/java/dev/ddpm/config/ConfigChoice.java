package dev.ddpm.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A closed choice of the configuration or the command line, an enum whose constants are written in
 * lower case with dashes ({@code FASHION_MNIST} is {@code fashion-mnist}) in JSON, messages and
 * help.
 */
public interface ConfigChoice {

    String name();

    /** The spelling in configuration files and on the command line. */
    @JsonValue
    default String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The allowed spellings, sorted: {@code [cosine, linear]}. */
    static String allowed(Class<? extends ConfigChoice> type) {
        return new TreeSet<>(
                        Arrays.stream(type.getEnumConstants())
                                .map(ConfigChoice::configName)
                                .toList())
                .toString();
    }

    /** The constant spelled {@code name}, or null. */
    static <E extends Enum<E> & ConfigChoice> E parse(Class<E> type, String name) {
        return Arrays.stream(type.getEnumConstants())
                .filter(c -> c.configName().equals(name))
                .findFirst()
                .orElse(null);
    }
}
