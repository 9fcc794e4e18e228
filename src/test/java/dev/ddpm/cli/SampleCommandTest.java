package dev.ddpm.cli;

import static dev.ddpm.cli.DdpmCommandTest.assertUsageError;
import static dev.ddpm.cli.DdpmCommandTest.ddpm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ddpm.cli.DdpmCommandTest.Run;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.config.DiffusionConfig;
import dev.ddpm.config.ModelConfig;
import dev.ddpm.io.Checkpoint;
import dev.ddpm.io.DecodedGif;
import dev.ddpm.io.TrainingState;
import dev.ddpm.model.UNet;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddpm sample} and {@code ddpm gif} end to end, on a tiny randomly initialised checkpoint.
 */
class SampleCommandTest {

    /** 16x16 images, one level of 8 channels, 20 timesteps: fast enough for many runs. */
    static final ModelConfig TINY = new ModelConfig(8, 1, 8, 10, 1, 16, List.of(), 8);

    static final int TIMESTEPS = 20;

    @TempDir static Path shared;

    @TempDir Path dir;

    static Path checkpoint;

    @BeforeAll
    static void writeTinyCheckpoint() throws Exception {
        DiffusionConfig r = DiffusionConfig.reference();
        DdpmConfig config =
                DdpmConfig.reference()
                        .withModel(TINY)
                        .withDiffusion(
                                new DiffusionConfig(
                                        TIMESTEPS,
                                        r.schedule(),
                                        r.betaStart(),
                                        r.betaEnd(),
                                        r.cosineS(),
                                        0,
                                        true,
                                        DiffusionConfig.Loss.L1,
                                        DiffusionConfig.Precision.FLOAT64));
        checkpoint = shared.resolve("checkpoints/tiny/step-00000010.safetensors");
        writeTiny(config, checkpoint);
    }

    /** A checkpoint of {@link #TINY} with {@code config}, its EMA weights half its weights. */
    private static void writeTiny(DdpmConfig config, Path file) throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Map<String, NDArray> model = UNet.create(TINY, m).weights();
            Map<String, NDArray> ema = new LinkedHashMap<>();
            model.forEach((name, w) -> ema.put(name, w.mul(0.5f)));
            new Checkpoint(config, model, ema, Map.of(), new TrainingState(10, 0, 10, 0, 10))
                    .write(file);
        }
    }

    private static Run quiet(String command, String... args) throws Exception {
        String[] all = new String[args.length + 6];
        all[0] = command;
        all[1] = "--quiet";
        all[2] = "--device";
        all[3] = "cpu";
        all[4] = "--checkpoint";
        all[5] = checkpoint.toString();
        System.arraycopy(args, 0, all, 6, args.length);
        return ddpm(all);
    }

    private static int[] grayLevels(Path image) throws Exception {
        return DecodedGif.grayLevels(ImageIO.read(image.toFile()));
    }

    @Test
    void whatIsNotAskedForIsTheCheckpointsRecommendation() throws Exception {
        Path recommending = dir.resolve("checkpoints/recommending/step-00000010.safetensors");
        writeTiny(
                ConfigLoader.load(
                        Checkpoint.readHeader(checkpoint).config(),
                        null,
                        Map.of(
                                "train.eval_sampler", "ddim",
                                "train.eval_steps", "3",
                                "train.eval_spacing", "trailing",
                                "train.eval_eta", "1",
                                "train.eval_guidance", "2")),
                recommending);
        Map<String, String[]> variants = new LinkedHashMap<>();
        variants.put("default", new String[0]);
        variants.put(
                "explicit",
                new String[] {
                    "--sampler",
                    "ddim",
                    "--steps",
                    "3",
                    "--spacing",
                    "trailing",
                    "--eta",
                    "1",
                    "--guidance",
                    "2"
                });
        variants.put("sampler", new String[] {"--sampler", "ddim"});
        variants.put("no-guidance", new String[] {"--guidance", "0"});
        variants.put("other-steps", new String[] {"--steps", "4"});
        variants.put("no-eta", new String[] {"--eta", "0"});
        variants.put("other-spacing", new String[] {"--spacing", "linspace"});
        variants.put("other-sampler", new String[] {"--sampler", "dpm++2m", "--steps", "3"});
        Map<String, byte[]> pngs = new LinkedHashMap<>();
        Map<String, String> logs = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> variant : variants.entrySet()) {
            Path png = dir.resolve(variant.getKey() + ".png");
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "sample",
                                    "--device",
                                    "cpu",
                                    "--checkpoint",
                                    recommending.toString(),
                                    "--digit",
                                    "4",
                                    "--n",
                                    "2",
                                    "--out",
                                    png.toString()));
            args.addAll(Arrays.asList(variant.getValue()));
            Run run = ddpm(args.toArray(String[]::new));
            assertEquals(0, run.exit(), run.toString());
            pngs.put(variant.getKey(), Files.readAllBytes(png));
            logs.put(variant.getKey(), run.err());
        }
        assertArrayEquals(
                pngs.get("explicit"),
                pngs.get("default"),
                "ddim, 3 steps, trailing, eta 1, guidance 2");
        assertTrue(
                logs.get("default")
                        .contains(
                                "ddim, 3 steps, trailing spacing, eta 1.0, guidance 2.0: the"
                                        + " checkpoint's"),
                logs.get("default"));
        assertArrayEquals(
                pngs.get("explicit"),
                pngs.get("sampler"),
                "the recommended sampler takes the recommended steps, spacing and eta");
        assertTrue(
                logs.get("sampler")
                        .contains(
                                "3 steps, trailing spacing, eta 1.0, guidance 2.0: the"
                                        + " checkpoint's"),
                logs.get("sampler"));
        assertFalse(logs.get("explicit").contains("recommendation"), logs.get("explicit"));
        for (String other :
                List.of("no-guidance", "other-steps", "other-sampler", "no-eta", "other-spacing")) {
            assertFalse(Arrays.equals(pngs.get("default"), pngs.get(other)), other);
        }
    }

    @Test
    void sameSeedWritesByteIdenticalPngsOfThePromisedSize() throws Exception {
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        Run first =
                quiet(
                        "sample",
                        "--digit",
                        "3",
                        "--n",
                        "3",
                        "--sampler",
                        "ddim",
                        "--steps",
                        "5",
                        "--eta",
                        "0.5",
                        "--out",
                        a.toString());
        assertEquals(0, first.exit(), first.toString());
        assertEquals(a.toString(), first.out().strip());
        assertEquals(
                0,
                quiet(
                                "sample",
                                "--digit",
                                "3",
                                "--n",
                                "3",
                                "--sampler",
                                "ddim",
                                "--steps",
                                "5",
                                "--eta",
                                "0.5",
                                "--out",
                                b.toString())
                        .exit());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));

        BufferedImage png = ImageIO.read(a.toFile());
        assertEquals(3 * 16 * 2, png.getWidth());
        assertEquals(16 * 2, png.getHeight());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, png.getType());

        Path otherSeed = dir.resolve("c.png");
        quiet(
                "sample",
                "--digit",
                "3",
                "--n",
                "3",
                "--sampler",
                "ddim",
                "--steps",
                "5",
                "--eta",
                "0.5",
                "--seed",
                "1",
                "--out",
                otherSeed.toString());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(otherSeed)));
        Path trained = dir.resolve("d.png");
        quiet(
                "sample",
                "--digit",
                "3",
                "--n",
                "3",
                "--sampler",
                "ddim",
                "--steps",
                "5",
                "--eta",
                "0.5",
                "--no-ema",
                "--out",
                trained.toString());
        assertFalse(
                java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(trained)),
                "--no-ema");
    }

    @Test
    void allDigitsGiveOneRowPerDigit() throws Exception {
        Path png = dir.resolve("grid/all.png");
        Run r =
                quiet(
                        "sample",
                        "--all-digits",
                        "--n",
                        "2",
                        "--scale",
                        "1",
                        "--steps",
                        "3",
                        "--guidance",
                        "1.5",
                        "--max-batch",
                        "7",
                        "--out",
                        png.toString());
        assertEquals(0, r.exit(), r.toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * 16, image.getWidth());
        assertEquals(10 * 16, image.getHeight());
    }

    @Test
    void gifLoopsAndEndsOnTheSample() throws Exception {
        Path gifs = dir.resolve("gifs");
        Run r =
                quiet(
                        "gif",
                        "--digit",
                        "7",
                        "--frames",
                        "4",
                        "--steps",
                        "6",
                        "--seed",
                        "4",
                        "--scale",
                        "2",
                        "--fps",
                        "20",
                        "--hold",
                        "2",
                        "--out",
                        gifs.toString());
        assertEquals(0, r.exit(), r.toString());
        Path gif = gifs.resolve("digit-7.gif");
        assertEquals(gif.toString(), r.out().strip());
        Path png = dir.resolve("seven.png");
        assertEquals(
                0,
                quiet(
                                "sample",
                                "--digit",
                                "7",
                                "--n",
                                "1",
                                "--sampler",
                                "ddim",
                                "--steps",
                                "6",
                                "--seed",
                                "4",
                                "--scale",
                                "2",
                                "--out",
                                png.toString())
                        .exit());

        DecodedGif decoded = DecodedGif.read(gif);
        assertEquals(4, decoded.frames().size());
        assertEquals(List.of(5, 5, 5, 200), decoded.delays());
        assertEquals(0, decoded.loopCount(), "loops forever");
        for (BufferedImage frame : decoded.frames()) {
            assertEquals(32, frame.getWidth());
            assertEquals(32, frame.getHeight());
        }
        assertArrayEquals(
                grayLevels(png),
                DecodedGif.grayLevels(decoded.frames().get(3)),
                "last frame = the sample");
        assertFalse(
                java.util.Arrays.equals(
                        grayLevels(png), DecodedGif.grayLevels(decoded.frames().get(0))));
    }

    @Test
    void allDigitsGifsAreTenAndAGrid() throws Exception {
        Path gifs = dir.resolve("all");
        Run r =
                quiet(
                        "gif",
                        "--all-digits",
                        "--frames",
                        "3",
                        "--steps",
                        "3",
                        "--scale",
                        "1",
                        "--out",
                        gifs.toString());
        assertEquals(0, r.exit(), r.toString());
        List<String> printed = r.out().lines().toList();
        assertEquals(11, printed.size());
        for (int d = 0; d < 10; d++) {
            assertEquals(gifs.resolve("digit-" + d + ".gif").toString(), printed.get(d));
            assertEquals(
                    16,
                    DecodedGif.read(gifs.resolve("digit-" + d + ".gif"))
                            .frames()
                            .get(0)
                            .getWidth());
        }
        DecodedGif grid = DecodedGif.read(gifs.resolve("all-digits.gif"));
        assertEquals(3, grid.frames().size());
        assertEquals(10 * 16, grid.frames().get(2).getWidth());
        assertEquals(16, grid.frames().get(2).getHeight());
        int[] seven =
                DecodedGif.grayLevels(DecodedGif.read(gifs.resolve("digit-7.gif")).frames().get(2));
        BufferedImage column = grid.frames().get(2).getSubimage(7 * 16, 0, 16, 16);
        assertArrayEquals(
                seven, DecodedGif.grayLevels(column), "the grid holds the digit GIFs side by side");
    }

    @Test
    void badRequestsAreOneLineUsageErrors() throws Exception {
        assertUsageError(quiet("sample", "--digit", "12"), "--digit must be 0-9, got 12");
        assertUsageError(quiet("sample", "--digit", "-1"), "--digit must be a digit 0-9, got -1");
        assertUsageError(quiet("gif", "--digit", "12"), "--digit must be 0-9, got 12");
        assertUsageError(
                quiet("sample", "--digit", "1", "--steps", "0"),
                "--steps must be at least 1, got 0");
        assertUsageError(
                quiet("sample", "--digit", "1", "--steps", "21"),
                "--steps 21 exceeds the 20 timesteps dpm++2m can visit in this checkpoint's"
                        + " schedule");
        for (String[] outside :
                new String[][] {
                    {"--guidance", "-1", "--guidance must be in [0, 100], got -1.0"},
                    {"--guidance", "100.5", "--guidance must be in [0, 100], got 100.5"},
                    {"--eta", "11", "--eta must be in [0, 10], got 11.0"}
                }) {
            assertUsageError(
                    quiet("sample", "--digit", "1", "--sampler", "ddim", outside[0], outside[1]),
                    outside[2]);
        }
        assertUsageError(
                quiet("sample", "--digit", "1", "--sampler", "plms"),
                "--sampler must be one of [ddim, ddpm, dpm++2m]");
        assertUsageError(
                quiet("sample", "--digit", "1", "--eta", "0.5"),
                "--eta applies to --sampler ddim: add --sampler ddim");
        assertUsageError(
                quiet("sample", "--digit", "1", "--sampler", "ddpm", "--steps", "5"),
                "apply to --sampler ddim");
        assertUsageError(quiet("sample"), "Missing required argument");
        assertUsageError(quiet("sample", "--digit", "1", "--all-digits"), "mutually exclusive");
        assertUsageError(
                quiet("gif", "--digit", "1", "--fps", "0"), "--fps must be between 1 and 50");
    }

    @Test
    void missingUnreadableOrIncompatibleCheckpointsAreOneLineUsageErrors() throws Exception {
        Path emptyRun = Files.createDirectories(dir.resolve("checkpoints/empty"));
        assertUsageError(
                ddpm(
                        "sample",
                        "-q",
                        "--device",
                        "cpu",
                        "--digit",
                        "1",
                        "--checkpoint",
                        emptyRun.toString()),
                "holds no checkpoint");
        assertUsageError(
                ddpm(
                        "gif",
                        "-q",
                        "--device",
                        "cpu",
                        "--digit",
                        "1",
                        "--checkpoint",
                        dir.resolve("nowhere").toString()),
                "not found");

        Path garbage = dir.resolve("garbage.safetensors");
        Files.writeString(garbage, "this is not a checkpoint at all");
        assertUsageError(
                ddpm(
                        "sample",
                        "-q",
                        "--device",
                        "cpu",
                        "--digit",
                        "1",
                        "--checkpoint",
                        garbage.toString()),
                garbage.toString());

        Path incompatible = dir.resolve("incompatible.safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Checkpoint tiny = Checkpoint.read(checkpoint, m);
            ModelConfig wider = new ModelConfig(8, 1, 16, 10, 1, 16, List.of(), 8);
            new Checkpoint(tiny.config().withModel(wider), tiny.model(), Map.of(), Map.of(), null)
                    .write(incompatible);
        }
        Run r =
                ddpm(
                        "sample",
                        "-q",
                        "--device",
                        "cpu",
                        "--digit",
                        "1",
                        "--checkpoint",
                        incompatible.toString());
        assertUsageError(r, "does not match its own model configuration");
    }
}
