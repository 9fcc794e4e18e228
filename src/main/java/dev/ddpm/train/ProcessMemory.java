package dev.ddpm.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from Linux's {@code /proc/self/status}; -1 where it is not
 * available.
 */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** Current resident set size (VmRSS) in bytes. */
    public static long residentBytes() {
        return statusBytes("VmRSS");
    }

    /** Peak resident set size (VmHWM) in bytes. */
    public static long peakResidentBytes() {
        return statusBytes("VmHWM");
    }

    private static long statusBytes(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
