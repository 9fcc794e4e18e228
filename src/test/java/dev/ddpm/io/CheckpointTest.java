package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.config.DdpmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir Path dir;

    @Test
    void writeThenReadRestoresEveryGroupConfigAndState() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> model = new LinkedHashMap<>();
            model.put("a.weight", m.randomNormal(new ai.djl.ndarray.types.Shape(3, 4)));
            model.put("b.bias", m.arange(5f));
            Map<String, NDArray> ema = new LinkedHashMap<>();
            ema.put("a.weight", m.randomNormal(new ai.djl.ndarray.types.Shape(3, 4)));
            ema.put("b.bias", m.randomNormal(new ai.djl.ndarray.types.Shape(5)));
            Map<String, NDArray> optim = new LinkedHashMap<>();
            optim.put("m.a.weight", m.randomNormal(new ai.djl.ndarray.types.Shape(3, 4)));
            optim.put("v.a.weight", m.randomUniform(0f, 1f, new ai.djl.ndarray.types.Shape(3, 4)));
            DdpmConfig config = DdpmConfig.reference();
            TrainingState state = new TrainingState(1234, 2, 17, config.train().seed(), 1200);
            Path file = dir.resolve("step-00001234.safetensors");
            new Checkpoint(config, model, ema, optim, state).write(file);

            Checkpoint back = Checkpoint.read(file, m);
            assertEquals(config, back.config());
            assertEquals(state, back.state());
            assertSameTensors(model, back.model(), "model");
            assertSameTensors(ema, back.ema(), "EMA");
            assertSameTensors(optim, back.optimizer(), "optimizer");
            assertTrue(back.samplingWeights(true) == back.ema());
            assertTrue(back.samplingWeights(false) == back.model());
        }
    }

    /** The same names, and under each the same shape and the same values, bit for bit. */
    private static void assertSameTensors(
            Map<String, NDArray> expected, Map<String, NDArray> actual, String group) {
        assertEquals(expected.keySet(), actual.keySet(), group);
        expected.forEach(
                (name, e) -> {
                    NDArray a = actual.get(name);
                    assertEquals(e.getShape(), a.getShape(), group + " " + name);
                    assertArrayEquals(e.toFloatArray(), a.toFloatArray(), group + " " + name);
                });
    }

    @Test
    void importedWeightsWithoutStateOrEmaSampleWithTheModel() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path file = dir.resolve("imported.safetensors");
            new Checkpoint(
                            DdpmConfig.reference(),
                            Map.of("w", m.ones(new ai.djl.ndarray.types.Shape(2))),
                            Map.of(),
                            Map.of(),
                            null)
                    .write(file);
            Checkpoint back = Checkpoint.read(file, m);
            assertNull(back.state());
            assertTrue(back.samplingWeights(true) == back.model());
        }
    }

    @Test
    void aPlainSafetensorsFileIsNotACheckpointAndTheMessageSaysToImportIt() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path file = dir.resolve("weights.safetensors");
            Safetensors.write(
                    file,
                    Map.of("time_mlp.1.weight", m.ones(new ai.djl.ndarray.types.Shape(2))),
                    Map.of());
            SafetensorsException e =
                    assertThrows(SafetensorsException.class, () -> Checkpoint.read(file, m));
            assertTrue(e.getMessage().contains("ddpm import"), e.getMessage());
        }
    }

    @Test
    void writtenFilesAreReadableByOthersLikeAnyOrdinaryFile() throws IOException {
        Path file = dir.resolve("grid.png");
        AtomicFiles.writeString(file, "x");
        assertTrue(
                Files.getPosixFilePermissions(file)
                        .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
    }

    @Test
    void anInterruptedWriteLeavesThePreviousFileIntactAndNoTemporaryBehind() throws IOException {
        Path file = dir.resolve("config.json");
        AtomicFiles.writeString(file, "first");
        assertThrows(
                IOException.class,
                () ->
                        AtomicFiles.write(
                                file,
                                out -> {
                                    out.write("half of the second".getBytes());
                                    throw new IOException("disk full");
                                }));
        assertEquals("first", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
