package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.ReferenceWeights;
import dev.ddpm.io.Safetensors;
import dev.ddpm.io.TrainingState;
import dev.ddpm.model.UNet;
import dev.ddpm.testing.ParityFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code ddpm info}, {@code ddpm import} and {@code ddpm export} end to end. */
class ModelCommandsTest {

    /** Two levels with attention at level 0, 16x16 images: every kind of tensor, few parameters. */
    static final ModelConfig TINY = new ModelConfig(8, 2, 8, 10, 1, 16, List.of(0), 8);

    @TempDir Path dir;

    private static void assertSameTensors(
            Map<String, NDArray> expected, Map<String, NDArray> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach(
                (name, e) -> {
                    assertEquals(e.getShape(), actual.get(name).getShape(), name);
                    assertArrayEquals(e.toFloatArray(), actual.get(name).toFloatArray(), 0f, name);
                });
    }

    /** A tiny checkpoint whose EMA weights differ from its trained ones. */
    private Path tinyCheckpoint(NDManager m) throws Exception {
        Path file = dir.resolve("tiny.safetensors");
        Map<String, NDArray> model = UNet.create(TINY, m).weights();
        Map<String, NDArray> ema = new LinkedHashMap<>();
        model.forEach((name, w) -> ema.put(name, w.mul(0.5f)));
        new Checkpoint(
                        DdpmConfig.reference().withModel(TINY),
                        model,
                        ema,
                        Map.of(),
                        new TrainingState(7, 0, 7, 0, 7))
                .write(file);
        return file;
    }

    @Test
    void infoPrintsBlocksAndTheReferenceParameterCount() throws Exception {
        Run r = ddpm("info", "--config", "config/default.json");
        assertEquals(0, r.exit(), r.toString());
        for (String block :
                List.of(
                        "time_mlp",
                        "label_emb",
                        "downsample.3",
                        "bottleneck",
                        "upsample.3",
                        "final_block")) {
            assertTrue(r.out().contains("\n" + block + " "), block + " in " + r.out());
        }
        assertTrue(r.out().contains("[B, 1, 32, 32]"), r.out());
        assertTrue(r.out().contains("total parameters: 51,067,777"), r.out());
        Run small =
                ddpm(
                        "info",
                        "--set",
                        "model.depth=2",
                        "--set",
                        "model.time_emb_dim=32",
                        "--set",
                        "model.attention_levels=[0]");
        assertTrue(small.out().contains("total parameters: 3,206,369"), small.out());
        assertUsageError(ddpm("info", "--checkpoint", dir.resolve("none").toString()), "not found");
    }

    @Test
    void exportThenImportIsTheIdentity() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Path checkpoint = tinyCheckpoint(m);
            Run info = ddpm("info", "--checkpoint", checkpoint.toString());
            assertEquals(0, info.exit(), info.toString());
            assertTrue(
                    info.out().contains("\"step\":7") && info.out().contains("EMA weights: yes"),
                    info.out());

            Path exported = dir.resolve("ema.safetensors");
            Run export =
                    ddpm(
                            "export",
                            "--checkpoint",
                            checkpoint.toString(),
                            "--ema",
                            "--to",
                            exported.toString(),
                            "-q");
            assertEquals(0, export.exit(), export.toString());
            assertEquals(exported.toString(), export.out().trim());
            Path imported = dir.resolve("imported.safetensors");
            Run imp =
                    ddpm(
                            "import",
                            "--from",
                            exported.toString(),
                            "--out",
                            imported.toString(),
                            "-q");
            assertEquals(0, imp.exit(), imp.toString());

            Checkpoint original = Checkpoint.read(checkpoint, m);
            Checkpoint back = Checkpoint.read(imported, m);
            assertEquals(original.config().model(), back.config().model());
            assertSameTensors(original.ema(), back.model());
            assertTrue(back.ema().isEmpty() && back.state() == null);
            assertUsageError(
                    ddpm("import", "--from", exported.toString(), "--out", imported.toString()),
                    "already exists");
        }
    }

    @Test
    void importListsMissingAndWrongShapedTensors() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Map<String, NDArray> weights = new LinkedHashMap<>(UNet.create(TINY, m).weights());
            weights.remove("final_block.2.bias");
            weights.put("label_emb.weight", m.zeros(new ai.djl.ndarray.types.Shape(11, 8)));
            Path file = dir.resolve("bad.safetensors");
            ReferenceWeights.write(file, weights, TINY, 0);
            Path out = dir.resolve("never.safetensors");
            Run r = ddpm("import", "--from", file.toString(), "--out", out.toString());
            assertUsageError(r, "missing final_block.2.bias");
            assertTrue(
                    r.err().contains("label_emb.weight has shape (11, 8), expected (10, 8)"),
                    r.err());
            assertTrue(!Files.exists(out), "nothing written");
            assertUsageError(ddpm("import", "--out", out.toString()), "--from");
            assertUsageError(
                    ddpm("import", "--from", dir.resolve("absent.safetensors").toString()),
                    "no such file");
        }
    }

    @ParameterizedTest
    @EnumSource(ParityFixture.class)
    void importingTheReferenceFixtureThenExportingGivesItsWeightsBack(ParityFixture parity)
            throws Exception {
        Path fixture = parity.file();
        Path checkpoint = dir.resolve("ref.safetensors");
        Path exported = dir.resolve("ref-export.safetensors");
        assertEquals(
                0,
                ddpm("import", "--from", fixture.toString(), "--out", checkpoint.toString(), "-q")
                        .exit());
        assertEquals(
                0,
                ddpm(
                                "export",
                                "--checkpoint",
                                checkpoint.toString(),
                                "--to",
                                exported.toString(),
                                "-q")
                        .exit());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Map<String, NDArray> reference =
                    ReferenceWeights.modelTensors(Safetensors.read(fixture, m).tensors());
            Safetensors.Contents back = Safetensors.read(exported, m);
            assertEquals(
                    new java.util.TreeSet<>(reference.keySet()),
                    new java.util.TreeSet<>(back.tensors().keySet()));
            reference.forEach(
                    (name, e) ->
                            assertArrayEquals(
                                    e.toFloatArray(),
                                    back.tensors().get(name).toFloatArray(),
                                    0f,
                                    name));
            assertEquals("" + parity.parameters(), back.metadata().get("params"));
            assertEquals("2", back.metadata().get("resnet_depth"));
        }
    }

    @Test
    void aSamplingCheckpointHoldsOnlyTheEmaAndSamplesButDoesNotResume() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Path checkpoint = tinyCheckpoint(m);
            Path sampling = dir.resolve("sampling/step-00000007.safetensors");
            Run export =
                    ddpm(
                            "export",
                            "-q",
                            "--checkpoint",
                            checkpoint.toString(),
                            "--ema",
                            "--format",
                            "ddpm",
                            "--to",
                            sampling.toString());
            assertEquals(0, export.exit(), export.toString());
            Checkpoint.Header header = Checkpoint.readHeader(sampling);
            assertTrue(
                    header.model().isEmpty() && header.optimizer().isEmpty(),
                    "only the EMA weights");
            assertEquals(Checkpoint.readHeader(checkpoint).ema(), header.ema());
            assertEquals(7, header.state().step());

            Run info = ddpm("info", "--checkpoint", sampling.toString());
            assertEquals(0, info.exit(), info.toString());
            Path png = dir.resolve("one.png");
            Run sample =
                    ddpm(
                            "sample",
                            "-q",
                            "--checkpoint",
                            sampling.toString(),
                            "--digit",
                            "1",
                            "--n",
                            "1",
                            "--steps",
                            "2",
                            "--out",
                            png.toString());
            assertEquals(0, sample.exit(), sample.toString());
            assertUsageError(
                    ddpm(
                            "sample",
                            "-q",
                            "--checkpoint",
                            sampling.toString(),
                            "--digit",
                            "1",
                            "--no-ema"),
                    "holds only EMA weights");
            // Without --ema, export takes the weights that exist and says so.
            Path exported = dir.resolve("from-sampling.safetensors");
            Run exportTrained =
                    ddpm(
                            "export",
                            "--checkpoint",
                            sampling.toString(),
                            "--to",
                            exported.toString());
            assertEquals(0, exportTrained.exit(), exportTrained.toString());
            assertTrue(exportTrained.err().contains("only EMA weights"), exportTrained.toString());
            Path imported = dir.resolve("from-sampling-imported.safetensors");
            Run imp =
                    ddpm(
                            "import",
                            "-q",
                            "--from",
                            exported.toString(),
                            "--out",
                            imported.toString());
            assertEquals(0, imp.exit(), imp.toString());
            assertSameTensors(
                    Checkpoint.read(checkpoint, m).ema(), Checkpoint.read(imported, m).model());
            assertUsageError(
                    ddpm("train", "-q", "--resume", sampling.toString(), "--device", "cpu"),
                    "can be sampled from but not resumed");
            assertUsageError(
                    ddpm(
                            "export",
                            "--checkpoint",
                            checkpoint.toString(),
                            "--format",
                            "onnx",
                            "--to",
                            dir.resolve("x").toString()),
                    "--format must be reference or ddpm");
        }
    }
}
