package dev.ddpm.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ddpm.app.ModelSource;
import dev.ddpm.common.UserException;
import dev.ddpm.config.SamplerKind;
import dev.ddpm.diffusion.FrameRecorder;
import dev.ddpm.diffusion.SamplingListener;
import dev.ddpm.generate.Generator;
import dev.ddpm.generate.SamplingSettings;
import dev.ddpm.io.AtomicFiles;
import dev.ddpm.io.GifWriter;
import dev.ddpm.io.ImageGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm gif}: animated GIFs of the denoising process. */
@Command(
        name = "gif",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Animates the denoising process: one looping GIF per digit, from noise to the final"
                    + " sample.",
            "Frames are denser near the end, where the digit appears; the last frame is the final"
                    + " sample."
        },
        footer = {
            "",
            "Output: gifs/digit-D.gif, and for --all-digits also gifs/all-digits.gif (all ten side"
                    + " by side); gifs/class-NAME.gif and gifs/all-classes.gif for --class and"
                    + " --all-classes.",
            "",
            "Examples:",
            "  ddpm gif --digit 7                                # gifs/digit-7.gif",
            "  ddpm gif --all-digits --sampler ddpm --frames 80  # 1000 steps, 11 GIFs",
            "  ddpm gif --digit 2 --fps 25 --hold 3 --scale 8 --out my-gifs"
        })
public final class GifCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin CommonOptions common;

    @Mixin ClassOptions classes;

    @Mixin GenerationOptions generation;

    @Option(
            names = "--frames",
            paramLabel = "N",
            defaultValue = "60",
            description = "Frames per GIF (default: ${DEFAULT-VALUE}; at most one per step).")
    int frames;

    @Option(
            names = "--fps",
            paramLabel = "N",
            defaultValue = "20",
            description = "Frames per second (default: ${DEFAULT-VALUE}, at most 50).")
    int fps;

    @Option(
            names = "--hold",
            paramLabel = "SECONDS",
            defaultValue = "2",
            description =
                    "How long the final sample stays before the loop restarts (default:"
                            + " ${DEFAULT-VALUE}).")
    double hold;

    @Option(
            names = "--scale",
            paramLabel = "K",
            defaultValue = "4",
            description = "Pixel upscaling (default: ${DEFAULT-VALUE}, so 128x128 per digit).")
    int scale;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "gifs",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        generation.defaultSampler = SamplerKind.DDIM;
        common.applyLogging();
        SampleCommand.requireBetween("--frames", frames, 1, 1000);
        if (fps < 1 || fps > 50) {
            throw new UserException(
                    "--fps must be between 1 and 50 (GIF delays are in 1/100 s), got " + fps);
        }
        if (!(hold >= 0 && hold <= 60)) {
            throw new UserException("--hold must be between 0 and 60 seconds, got " + hold);
        }
        SampleCommand.requireBetween("--scale", scale, 1, SampleCommand.MAX_SCALE);
        classes.validate();
        generation.validate();
        ModelSource source = generation.source(common.workspace());
        AtomicFiles.requireWritable(out.resolve("all-digits.gif"));
        try (NDManager manager = NDManager.newBaseManager(common.device())) {
            Generator generator = source.open(manager);
            generation.requireStepsWithin(generator);
            int channels = generator.config().model().inChannels();
            if (channels != 1 && channels != 3) {
                throw new UserException(
                        "GIFs are grayscale or RGB; this model has "
                                + channels
                                + " channels (use 'ddpm sample')");
            }
            List<String> names = generator.classes();
            long[] labels = classes.labels(names, 1);
            for (long label : labels) {
                AtomicFiles.requireWritable(
                        out.resolve(classes.imageName((int) label, names) + ".gif"));
            }
            if (classes.all()) {
                AtomicFiles.requireWritable(out.resolve(classes.name(names) + ".gif"));
            }
            SamplingSettings settings = generation.settings(generator);
            int steps = settings.samplerFor(generator.schedule()).plan(generator.schedule()).size();
            FrameRecorder recorder = new FrameRecorder(steps, frames);
            SamplingListener progress = SampleCommand.progressLog();
            Generator.Images images =
                    generator.generate(
                            labels,
                            settings,
                            (i, total, t, x) -> {
                                recorder.onStep(i, total, t, x);
                                progress.onStep(i, total, t, x);
                            });
            SampleCommand.logTime(images, labels.length);
            List<FrameRecorder.Frame> kept = recorder.frames();
            int delay = Math.round(1000f / fps);
            int last = Math.max(delay, (int) Math.round(hold * 1000));
            PrintWriter printed = spec.commandLine().getOut();
            for (int i = 0; i < labels.length; i++) {
                Path gif = out.resolve(classes.imageName((int) labels[i], names) + ".gif");
                GifWriter.write(render(kept, i, 1), delay, last, gif);
                printed.println(gif);
            }
            if (classes.all()) {
                Path gif = out.resolve(classes.name(names) + ".gif");
                GifWriter.write(render(kept, -1, labels.length), delay, last, gif);
                printed.println(gif);
            }
            printed.flush();
        }
        return 0;
    }

    /**
     * Image {@code index} of every frame (or all images side by side for -1) as grayscale pictures.
     */
    private List<BufferedImage> render(List<FrameRecorder.Frame> kept, int index, int columns) {
        List<BufferedImage> images = new ArrayList<>(kept.size());
        for (FrameRecorder.Frame frame : kept) {
            Shape shape = frame.shape();
            if (index < 0) {
                images.add(ImageGrid.render(frame.values(), shape, columns, scale));
            } else {
                int size = (int) shape.slice(1).size();
                float[] one = Arrays.copyOfRange(frame.values(), index * size, (index + 1) * size);
                images.add(ImageGrid.render(one, new Shape(1).addAll(shape.slice(1)), 1, scale));
            }
        }
        return images;
    }
}
