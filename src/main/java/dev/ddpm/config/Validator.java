package dev.ddpm.config;

import java.util.Set;
import java.util.TreeSet;

/** Range and choice checks that fail with a message naming the key and what it accepts. */
final class Validator {

    void check(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException("config key '" + key + "' " + problem);
        }
    }

    void range(String key, long value, long min, long max) {
        check(value >= min && value <= max, key, "must be in [" + min + ", " + max + "], got " + value);
    }

    void oneOf(String key, String value, Set<String> allowed) {
        check(value != null && allowed.contains(value), key,
                "must be one of " + new TreeSet<>(allowed) + ", got " + (value == null ? "nothing" : "'" + value + "'"));
    }
}
