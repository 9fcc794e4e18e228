package dev.ddpm.report;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The hardware and software a run trains on, as its report shows them.
 *
 * @param device the device the steps run on
 * @param cpu the processor's model name ({@code /proc/cpuinfo} on Linux), else the architecture
 * @param cores processors available to the JVM
 * @param memoryGib physical memory of the machine, in GiB (0 when unknown)
 * @param os operating system and version
 * @param java Java runtime version
 * @param engine the deep-learning engine and its version
 */
public record Machine(
        String device,
        String cpu,
        int cores,
        double memoryGib,
        String os,
        String java,
        String engine) {

    /** This machine, training on {@code device}. */
    public static Machine describe(Device device) {
        Engine e = Engine.getInstance();
        return new Machine(
                device.toString(),
                cpuName().orElse(System.getProperty("os.arch")),
                Runtime.getRuntime().availableProcessors(),
                totalMemoryGib(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                e.getEngineName() + " " + e.getVersion());
    }

    private static Optional<String> cpuName() {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(info)) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static double totalMemoryGib() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (double) (1L << 30);
        }
        return 0;
    }
}
