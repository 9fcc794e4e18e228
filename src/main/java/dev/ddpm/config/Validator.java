package dev.ddpm.config;

import dev.ddpm.common.UserException;

/** Range and choice checks that fail with a message naming the key and what it accepts. */
final class Validator {

    void check(boolean ok, String key, String problem) {
        if (!ok) {
            throw new UserException("config key '" + key + "' " + problem);
        }
    }

    void range(String key, long value, long min, long max) {
        check(
                value >= min && value <= max,
                key,
                "must be in [" + min + ", " + max + "], got " + value);
    }

    /**
     * A choice that was left empty ({@code null} in JSON); unknown spellings are refused while
     * parsing.
     */
    void present(String key, Object value, Class<? extends ConfigChoice> type) {
        check(value != null, key, "must be one of " + ConfigChoice.allowed(type) + ", got nothing");
    }
}
