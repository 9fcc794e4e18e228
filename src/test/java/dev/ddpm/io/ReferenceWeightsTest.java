package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ddpm.config.DdpmConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceWeightsTest {

    @TempDir Path dir;

    private final NDManager manager = NDManager.newBaseManager(Device.cpu());

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void aStateDictWithNaNIsRefusedNamingTheTensor() throws Exception {
        Path file = dir.resolve("weights.safetensors");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("conv.weight", manager.create(new float[] {1, 2}));
        tensors.put(
                "conv.bias", manager.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 0}));
        Safetensors.write(file, tensors, Map.of("format", "pt"));
        String message =
                assertThrows(
                                SafetensorsException.class,
                                () -> ReferenceWeights.readModel(file, manager))
                        .getMessage();
        assertEquals(
                file
                        + " has NaN or infinity in 2 of the 3 values of tensor 'conv.bias'; export"
                        + " the weights again from a model that did not diverge",
                message);
    }

    @Test
    void inAPrefixedFileOnlyTheModelTensorsAreChecked() throws Exception {
        Path file = dir.resolve("fixture.safetensors");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("model.conv.weight", manager.create(new float[] {1, 2}));
        tensors.put("expected.output", manager.create(new float[] {Float.NaN}));
        Safetensors.write(file, tensors, Map.of());
        Map<String, NDArray> model = ReferenceWeights.readModel(file, manager);
        assertEquals(1, model.size());
        assertArrayEquals(new float[] {1, 2}, model.get("conv.weight").toFloatArray());

        tensors.put("model.conv.bias", manager.create(new float[] {Float.NEGATIVE_INFINITY}));
        Safetensors.write(file, tensors, Map.of());
        String message =
                assertThrows(
                                SafetensorsException.class,
                                () -> ReferenceWeights.readModel(file, manager))
                        .getMessage();
        assertTrue(message.contains("tensor 'model.conv.bias'"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void exportWritesEveryWeightAsFloat32AndLeavesTheCallersArraysOpen() throws Exception {
        Path file = dir.resolve("exported.safetensors");
        Map<String, NDArray> weights = new LinkedHashMap<>();
        weights.put("steps", manager.create(new int[] {3, -4}));
        weights.put("scale", manager.create(new double[] {0.25}));
        weights.put("conv.weight", manager.create(new float[] {1.5f}));
        ReferenceWeights.write(file, weights, DdpmConfig.reference().model(), 4);

        Safetensors.Header header = Safetensors.readHeader(file);
        header.entries()
                .values()
                .forEach(e -> assertEquals(DataType.FLOAT32, e.dataType(), e.name()));
        Map<String, NDArray> back = Safetensors.read(file, manager).tensors();
        assertArrayEquals(new float[] {3, -4}, back.get("steps").toFloatArray());
        assertArrayEquals(new float[] {0.25f}, back.get("scale").toFloatArray());
        assertArrayEquals(new int[] {3, -4}, weights.get("steps").toIntArray());
        assertArrayEquals(new float[] {1.5f}, weights.get("conv.weight").toFloatArray());
    }
}
