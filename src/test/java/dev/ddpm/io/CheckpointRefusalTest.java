package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints that are well-formed safetensors but no healthy run writes: readHeader and read
 * refuse the same ones, each with one line naming the file and the problem.
 */
class CheckpointRefusalTest {

    private static final String STATE =
            "{\"step\":10,\"epoch\":0,\"batch_in_epoch\":10,\"seed\":0,\"ema_updates\":10}";

    @TempDir Path dir;

    private final NDManager manager = NDManager.newBaseManager(Device.cpu());

    @AfterEach
    void close() {
        manager.close();
    }

    /** Metadata changes (a null value removes the key) and the problem the message must name. */
    static Stream<Arguments> badMetadata() {
        return Stream.of(
                Arguments.of(
                        map("format_version", "2"),
                        "has checkpoint format version 2; this ddpm reads only"
                                + " version 1: use the ddpm that wrote it"),
                Arguments.of(
                        map("format_version", null),
                        "has checkpoint format version (none); this ddpm reads"),
                Arguments.of(
                        map("config", null),
                        "has no 'config' metadata; use an earlier checkpoint of the run"),
                Arguments.of(
                        map("config", "{\"train\": {\"lr\": }"),
                        "has an unusable configuration: the saved configuration is not valid JSON"),
                Arguments.of(
                        map("config", "{\"train\": {\"lr\": 1e-4, \"lr\": 1e-3}}"),
                        "has an unusable configuration: config key 'train.lr' appears twice"),
                Arguments.of(
                        map("config", "{\"train\": {\"lr\": \"fast\"}}"),
                        "has an unusable configuration:"
                                + " config key 'train.lr' has the wrong type"),
                Arguments.of(
                        map("state", "{\"step\": 10,\n"),
                        "has a training state that is not valid JSON: "),
                Arguments.of(
                        map("state", STATE.replace("10,", "10,10,")),
                        "has a training state that is not" + " valid JSON: "),
                Arguments.of(
                        map("state", STATE.replace("\"step\":10", "\"step\":10,\"step\":10")),
                        "has a training state that is not valid JSON: Duplicate field 'step'"),
                Arguments.of(
                        map("state", "[10]"), "has an invalid training state (not a JSON object);"),
                Arguments.of(
                        map("state", STATE.replace("\"step\":10", "\"step\":\"10\"")),
                        "has an invalid training state (step \"10\" is not an integer); use an"
                                + " earlier checkpoint"),
                Arguments.of(
                        map("state", STATE.replace("\"epoch\":0", "\"epoch\":0.0")),
                        "has an invalid training state (epoch 0.0 is not an integer)"),
                Arguments.of(
                        map("state", STATE.replace(",\"ema_updates\":10", "")),
                        "has an invalid training state (no ema_updates)"),
                Arguments.of(
                        map("state", STATE.replace("{", "{\"lr\":1,")),
                        "has an invalid training state (unknown key 'lr')"),
                Arguments.of(
                        map("state", STATE.replace("\"epoch\":0", "\"epoch\":10000000000")),
                        "has an invalid training state (Numeric value (10000000000) out of range of"
                                + " int"),
                Arguments.of(
                        map(
                                "state",
                                "{\"step\":-5,\"epoch\":0,\"batch_in_epoch\":99999,\"seed\":0,"
                                        + "\"ema_updates\":0}"),
                        "has an invalid training state (step -5 is negative); use an"
                                + " earlier checkpoint of the run"),
                Arguments.of(
                        map(
                                "state",
                                STATE.replace("\"batch_in_epoch\":10", "\"batch_in_epoch\":-1")
                                        .replace("\"epoch\":0", "\"epoch\":-1")),
                        "has an invalid training state (epoch -1 is negative, batch_in_epoch -1 is"
                                + " negative)"),
                Arguments.of(
                        map("state", STATE.replace("\"ema_updates\":10", "\"ema_updates\":11")),
                        "has an invalid training state (ema_updates 11 exceeds step 10)"),
                Arguments.of(
                        map("state", STATE.replace("\"ema_updates\":10", "\"ema_updates\":-1")),
                        "has an invalid training state (ema_updates -1 is negative)"),
                Arguments.of(
                        map("state", STATE.replace("\"seed\":0", "\"seed\":7")),
                        "has an invalid training state (seed 7 is not the configuration's"
                                + " train.seed 0)"));
    }

    @ParameterizedTest
    @MethodSource("badMetadata")
    void metadataThatNoRunWritesIsRefusedByReadHeaderAndRead(
            Map<String, String> change, String problem) throws Exception {
        Map<String, String> meta = metadata();
        change.forEach(
                (key, value) -> {
                    if (value == null) {
                        meta.remove(key);
                    } else {
                        meta.put(key, value);
                    }
                });
        Path file = dir.resolve("step-00000010.safetensors");
        Safetensors.write(file, Map.of("model.w", manager.ones(new Shape(2))), meta);
        assertRefused(file, problem, () -> Checkpoint.readHeader(file));
        assertRefused(file, problem, () -> Checkpoint.read(file, manager));
    }

    @Test
    void theHeaderGivesConfigurationStateAndEveryGroupsShapes() throws Exception {
        Path file = dir.resolve("step-00000010.safetensors");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("model.w", manager.ones(new Shape(2, 3)));
        tensors.put("ema.w", manager.ones(new Shape(2, 3)));
        tensors.put("optim.m.w", manager.zeros(new Shape(2, 3)));
        Safetensors.write(file, tensors, metadata());
        Checkpoint.Header header = Checkpoint.readHeader(file);
        assertEquals(DdpmConfig.reference(), header.config());
        assertEquals(new TrainingState(10, 0, 10, 0, 10), header.state());
        assertEquals(Map.of("w", new Shape(2, 3)), header.model());
        assertEquals(Map.of("w", new Shape(2, 3)), header.ema());
        assertEquals(Map.of("m.w", new Shape(2, 3)), header.optimizer());
    }

    @Test
    void aModelWeightWithNaNIsRefusedNamingTheTensorAndTheCount() throws Exception {
        Path file = withTensor("model.w", manager.create(new float[] {1, Float.NaN, 2, Float.NaN}));
        assertDoesNotThrow(() -> Checkpoint.readHeader(file));
        assertRefused(
                file,
                "has NaN or infinity in 2 of the 4 values of tensor 'model.w'; use an"
                        + " earlier checkpoint of the run",
                () -> Checkpoint.read(file, manager));
    }

    @Test
    void anEmaWeightWithInfinityIsRefused() throws Exception {
        Path file =
                withTensor("ema.w", manager.create(new float[] {Float.NEGATIVE_INFINITY, 0, 1}));
        assertRefused(
                file,
                "has NaN or infinity in 1 of the 3 values of tensor 'ema.w'",
                () -> Checkpoint.read(file, manager));
    }

    @Test
    void anOptimizerMomentWithNaNIsRefused() throws Exception {
        Path file = withTensor("optim.v.w", manager.create(new float[] {Float.NaN}));
        assertRefused(file, "values of tensor 'optim.v.w'", () -> Checkpoint.read(file, manager));
    }

    @Test
    void halfAndDoublePrecisionWeightsAreCheckedToo() throws Exception {
        Path half =
                withTensor(
                        "model.w",
                        manager.create(new float[] {1, Float.POSITIVE_INFINITY, 65504})
                                .toType(DataType.FLOAT16, false));
        assertRefused(
                half,
                "has NaN or infinity in 1 of the 3 values of tensor 'model.w'",
                () -> Checkpoint.read(half, manager));
        Path dbl =
                withTensor("model.w", manager.create(new double[] {Double.MAX_VALUE, Double.NaN}));
        assertRefused(
                dbl,
                "has NaN or infinity in 1 of the 2 values of tensor 'model.w'",
                () -> Checkpoint.read(dbl, manager));
    }

    @Test
    void largeFiniteWeightsAndIntegerTensorsAreAccepted() throws Exception {
        Path file =
                withTensor(
                        "model.w",
                        manager.create(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE, 0}));
        assertDoesNotThrow(() -> Checkpoint.read(file, manager));
        Path ints = withTensor("optim.t", manager.create(new int[] {0x7f80_0000, -1}));
        assertDoesNotThrow(() -> Checkpoint.read(ints, manager));
    }

    @Test
    void theTrainerCanCheckThePositionAgainstItsEpochs() throws Exception {
        Path file = dir.resolve("step-00000010.safetensors");
        assertDoesNotThrow(() -> new TrainingState(10, 2, 2, 0, 10).requireWithin(file, 4));
        assertRefused(
                file,
                "has training state batch_in_epoch 99999 but an epoch of this run has 256 batches;"
                        + " use an earlier checkpoint of the run",
                () -> new TrainingState(99999, 0, 99999, 0, 0).requireWithin(file, 256));
        assertRefused(
                file,
                "has training state step 11 but batch 2 of epoch 2 in epochs of 4 batches is step"
                        + " 10; use an earlier checkpoint of the run",
                () -> new TrainingState(11, 2, 2, 0, 10).requireWithin(file, 4));
    }

    private Path withTensor(String name, NDArray bad) throws Exception {
        Path file = dir.resolve("step-00000010.safetensors");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("model.a", manager.ones(new Shape(2)));
        tensors.put(name, bad);
        tensors.put("optim.m.a", manager.zeros(new Shape(2)));
        Safetensors.write(file, tensors, metadata());
        return file;
    }

    private static Map<String, String> metadata() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", Checkpoint.FORMAT);
        meta.put("format_version", "1");
        meta.put("config", ConfigLoader.toJson(DdpmConfig.reference()));
        meta.put("state", STATE);
        return meta;
    }

    private static Map<String, String> map(String key, String value) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }

    private static void assertRefused(Path file, String problem, Executable read) {
        String message = assertThrows(SafetensorsException.class, read).getMessage();
        assertTrue(message.startsWith(file + " "), "names the file first: " + message);
        assertTrue(message.contains(problem), "expected '" + problem + "' in: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
        assertFalse(message.contains("[Source"), "no parser location: " + message);
    }
}
