package dev.ddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which libtorch the {@code ./ddpm} launcher puts on the classpath, for every way of asking for a
 * device, on a machine with a GPU and on one without: a fake {@code nvidia-smi} first on the PATH
 * stands in for the driver's, and {@code DDPM_LAUNCHER_DRY_RUN=1} makes the launcher print its
 * choice and the Java command instead of running it. The launcher runs from a folder with a built
 * application in place, so it does not build.
 */
class LauncherDeviceTest {

    private static final String GPU_LISTING = "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0)";

    @TempDir Path dir;
    private Path home;
    private Path withGpu;
    private Path withoutGpu;

    record Choice(int exit, String build, String java, String err) {
        /** Whether the CPU libtorch is on the classpath and DJL kept offline. */
        boolean cpuBuild() {
            return java.contains("lib-cpu/*") && java.contains("-Dai.djl.offline=true");
        }
    }

    @BeforeEach
    void launcherWithAFakeDriver() throws IOException {
        home = Files.createDirectories(dir.resolve("ddpm"));
        Files.copy(Path.of("ddpm"), home.resolve("ddpm"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(home.resolve("target/lib"));
        Files.writeString(home.resolve("target/ddpm.jar"), "");
        withGpu = fakeNvidiaSmi("gpu", "echo '" + GPU_LISTING + "'");
        // What nvidia-smi says where the driver is installed but no GPU is visible.
        withoutGpu = fakeNvidiaSmi("none", "echo 'No devices were found'; exit 6");
    }

    private Path fakeNvidiaSmi(String name, String body) throws IOException {
        Path bin = Files.createDirectories(dir.resolve(name));
        Path script = bin.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private Choice launch(Path driver, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("ddpm").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> environment = pb.environment();
        environment.remove("DDPM_DEVICE");
        environment.remove("DDPM_NATIVE");
        environment.put("PATH", driver + ":" + environment.get("PATH"));
        environment.put("DDPM_LAUNCHER_DRY_RUN", "1");
        environment.putAll(env);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int exit = p.waitFor();
        List<String> lines = Files.readAllLines(out);
        return new Choice(
                exit,
                lines.isEmpty() ? "" : lines.get(0).replace("native=", ""),
                lines.size() < 2 ? "" : lines.get(1),
                Files.readString(err));
    }

    private Choice launch(Path driver, String... args) throws Exception {
        return launch(driver, Map.of(), args);
    }

    private static void assertCpu(Choice c) {
        assertEquals(0, c.exit(), c.err());
        assertEquals("cpu", c.build(), c.toString());
        assertTrue(c.cpuBuild(), c.java());
    }

    private static void assertGpu(Choice c) {
        assertEquals(0, c.exit(), c.err());
        assertEquals("gpu", c.build(), c.toString());
        assertFalse(c.java().contains("lib-cpu"), "no CPU libtorch for DJL to pick: " + c.java());
        assertFalse(c.java().contains("ai.djl.offline"), "DJL may download the CUDA build");
    }

    @Test
    void aMachineWithAGpuGetsTheCudaBuildUnlessTheCpuIsAskedFor() throws Exception {
        assertGpu(launch(withGpu, "train"));
        assertGpu(launch(withGpu, "train", "--device", "auto"));
        assertGpu(launch(withGpu, "train", "--device", "gpu"));
        assertGpu(launch(withGpu, "bench", "--device=gpu:1"));
        assertCpu(launch(withGpu, "train", "--device", "cpu"));
        assertCpu(launch(withGpu, "train", "--device=cpu"));
    }

    @Test
    void ddpmDeviceIsTheDefaultThatTheOptionOverrides() throws Exception {
        assertCpu(launch(withGpu, Map.of("DDPM_DEVICE", "cpu"), "sample"));
        assertGpu(launch(withGpu, Map.of("DDPM_DEVICE", "cpu"), "sample", "--device", "gpu"));
        assertCpu(launch(withGpu, Map.of("DDPM_DEVICE", "gpu"), "sample", "--device", "cpu"));
    }

    @Test
    void aMachineWithoutAGpuGetsTheCpuBuildWhateverIsAskedFor() throws Exception {
        assertCpu(launch(withoutGpu, "train"));
        // Java then says that libtorch sees no GPU, in one line.
        assertCpu(launch(withoutGpu, "train", "--device", "gpu"));
        assertCpu(launch(withoutGpu, Map.of("DDPM_DEVICE", "gpu:0"), "train"));
    }

    @Test
    void ddpmNativeOverridesTheDetection() throws Exception {
        assertGpu(launch(withoutGpu, Map.of("DDPM_NATIVE", "gpu"), "train", "--device", "gpu"));
        assertCpu(launch(withGpu, Map.of("DDPM_NATIVE", "cpu"), "train"));
        Choice bad = launch(withGpu, Map.of("DDPM_NATIVE", "tpu"), "train");
        assertEquals(2, bad.exit());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("DDPM_NATIVE") && bad.err().contains("'tpu'"), bad.err());
    }

    @Test
    void theArgumentsReachTheApplicationUnchanged() throws Exception {
        Choice c = launch(withGpu, Map.of(), "eval", "--device", "cpu", "--n", "10");
        assertTrue(
                c.java().endsWith("dev.ddpm.cli.DdpmCommand eval --device cpu --n 10"), c.java());
    }
}
