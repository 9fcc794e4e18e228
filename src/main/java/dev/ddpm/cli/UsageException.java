package dev.ddpm.cli;

/** A request the user can fix: printed as one line, exit code 2. */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    /** Refuses {@code value} of {@code option} outside {@code [min, max]}, naming the allowed range. */
    static void requireBetween(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new UsageException(option + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
